import { computed, signal } from "@preact/signals";

export type Route = { name: "login" } | { name: "signup" } | { name: "home"; conversationId: string | null };

const followHistory = () => {
  path.value = location.pathname;
};

/** The address bar's path. It follows back and forward only while something reads it. */
const path = signal(location.pathname, {
  watched: () => addEventListener("popstate", followHistory),
  unwatched: () => removeEventListener("popstate", followHistory),
});

/** The screen the address bar names; the SPA fallback serves every path. */
export const route = computed<Route>(() => parse(path.value));

/** Each entry remembers where it came from, so "back" can return instead of stacking up. */
type EntryState = { from?: string } | null;

export function navigate(to: string, options: { replace?: boolean } = {}): void {
  if (to === location.pathname) return;
  if (options.replace) history.replaceState(history.state, "", to);
  else history.pushState({ from: location.pathname } satisfies EntryState, "", to);
  path.value = to;
}

/** Goes back to `to`: through history when that is where we came from, else by navigating. */
export function goBackTo(to: string): void {
  if ((history.state as EntryState)?.from === to) history.back();
  else navigate(to);
}

export function conversationPath(conversationId: string): string {
  return `/c/${encodeURIComponent(conversationId)}`;
}

function parse(pathname: string): Route {
  if (pathname === "/login") return { name: "login" };
  if (pathname === "/signup") return { name: "signup" };
  const match = /^\/c\/([^/]+)$/.exec(pathname);
  return { name: "home", conversationId: match ? decodeURIComponent(match[1]!) : null };
}

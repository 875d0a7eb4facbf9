import { computed, signal } from "@preact/signals";

export type Route =
  | { name: "login" }
  | { name: "signup" }
  | { name: "home"; conversationId: string | null }
  /** An invitation link; `login` when the person said they already have an account. */
  | { name: "invite"; token: string; login: boolean };

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

/** The open conversation, from the address bar. */
export const openConversationId = computed(() => (route.value.name === "home" ? route.value.conversationId : null));

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

export function invitePath(token: string, login = false): string {
  return `/invite/${encodeURIComponent(token)}${login ? "/login" : ""}`;
}

/** A path segment as typed; a malformed escape (a pasted link cut short) is kept as it is. */
function decode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

function parse(pathname: string): Route {
  if (pathname === "/login") return { name: "login" };
  if (pathname === "/signup") return { name: "signup" };
  const invite = /^\/invite\/([^/]+)(\/login)?$/.exec(pathname);
  if (invite) return { name: "invite", token: decode(invite[1]!), login: invite[2] !== undefined };
  const match = /^\/c\/([^/]+)$/.exec(pathname);
  return { name: "home", conversationId: match ? decode(match[1]!) : null };
}

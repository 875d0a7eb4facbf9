import { computed, signal } from "@preact/signals";

export type Route =
  | { name: "login" }
  | { name: "signup" }
  | { name: "home"; conversationId: string | null };

const path = signal(location.pathname);

addEventListener("popstate", () => {
  path.value = location.pathname;
});

/** The screen the address bar names; the SPA fallback serves every path. */
export const route = computed<Route>(() => parse(path.value));

export function navigate(to: string, options: { replace?: boolean } = {}): void {
  if (to === location.pathname) return;
  if (options.replace) history.replaceState(null, "", to);
  else history.pushState(null, "", to);
  path.value = to;
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

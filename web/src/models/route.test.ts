import { afterEach, describe, expect, it, vi } from "vitest";

afterEach(() => {
  vi.unstubAllGlobals();
  vi.resetModules();
});

/** The route the address bar names when the page loads at `pathname`. */
async function routeAt(pathname: string) {
  vi.resetModules();
  vi.stubGlobal("location", { pathname });
  vi.stubGlobal("addEventListener", () => {});
  vi.stubGlobal("removeEventListener", () => {});
  return (await import("./route")).route.value;
}

describe("the address bar", () => {
  it("names an invitation by its token, with or without the login step", async () => {
    await expect(routeAt("/invite/abc%2Fdef")).resolves.toEqual({ name: "invite", token: "abc/def", login: false });
    await expect(routeAt("/invite/abc/login")).resolves.toEqual({ name: "invite", token: "abc", login: true });
  });

  it("keeps a token cut short in a pasted link as typed instead of failing", async () => {
    await expect(routeAt("/invite/abc%E0")).resolves.toEqual({ name: "invite", token: "abc%E0", login: false });
  });

  it("sends any other path home", async () => {
    await expect(routeAt("/invite/")).resolves.toEqual({ name: "home", conversationId: null });
    await expect(routeAt("/c/c-1")).resolves.toEqual({ name: "home", conversationId: "c-1" });
  });
});

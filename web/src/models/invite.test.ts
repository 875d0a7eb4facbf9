import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Connection } from "../../../protocol/api";
import { InviteLandingModel, InviteLinkModel } from "./invite";

const disposers: (() => void)[] = [];
let calls: string[] = [];

/** Plays the REST API: each "METHOD path" answers as given; anything else is a failure of the test. */
function serve(answers: Record<string, () => Response>) {
  calls = [];
  vi.stubGlobal("fetch", async (path: string, init: RequestInit) => {
    const key = `${init.method} ${path}`;
    calls.push(key);
    const answer = answers[key];
    if (!answer) throw new Error(`unexpected ${key}`);
    return answer();
  });
}

const gone = () => Response.json({ error: { code: "invite_not_found", message: "No such invite" } }, { status: 404 });
const accepted: Connection = {
  user: { id: "u-ann", username: "ann" },
  conversationId: "c-ann",
  status: "accepted",
  direction: "incoming",
  online: false,
  lastMessage: null,
  unread: 0,
};

beforeEach(() => {
  vi.stubGlobal("location", { origin: "https://chat.test" });
});

afterEach(() => {
  for (const dispose of disposers.splice(0)) dispose();
  vi.unstubAllGlobals();
});

describe("inviting someone", () => {
  it("makes a single-use link on this origin, never with a user id in it", async () => {
    serve({
      "POST /api/invites": () => Response.json({ invite: { token: "t0k/en", expiresAt: "2030-01-01T00:00:00Z" } }),
    });
    const invite = new InviteLinkModel();
    disposers.push(() => invite[Symbol.dispose]());
    await vi.waitFor(() => expect(invite.link.value).toBe("https://chat.test/invite/t0k%2Fen"));
    expect(invite.expiresAt.value).toBe("2030-01-01T00:00:00Z");
  });

  it("copies the link, and says so", async () => {
    serve({
      "POST /api/invites": () => Response.json({ invite: { token: "abc", expiresAt: "2030-01-01T00:00:00Z" } }),
    });
    const writeText = vi.fn(async () => {});
    vi.stubGlobal("navigator", { clipboard: { writeText } });
    const invite = new InviteLinkModel();
    disposers.push(() => invite[Symbol.dispose]());
    await vi.waitFor(() => expect(invite.link.value).not.toBeNull());
    await expect(invite.copy()).resolves.toBe(true);
    expect(writeText).toHaveBeenCalledWith("https://chat.test/invite/abc");
    expect(invite.copied.value).toBe(true);
  });
});

describe("opening an invite link", () => {
  it("names the inviter of a live invite, then connects the two in one step", async () => {
    serve({
      "GET /api/invites/abc": () => Response.json({ inviter: { username: "ann" } }),
      "POST /api/invites/abc/accept": () => Response.json({ connection: accepted }, { status: 201 }),
    });
    const landing = new InviteLandingModel("abc");
    disposers.push(() => landing[Symbol.dispose]());
    await vi.waitFor(() => expect(landing.state.value).toEqual({ kind: "live", inviter: "ann" }));
    await expect(landing.accept()).resolves.toEqual(accepted);
  });

  it("says calmly that a used or expired link is gone, on opening or on accepting", async () => {
    serve({ "GET /api/invites/old": gone });
    const opened = new InviteLandingModel("old");
    disposers.push(() => opened[Symbol.dispose]());
    await vi.waitFor(() => expect(opened.state.value).toEqual({ kind: "gone" }));

    serve({
      "GET /api/invites/raced": () => Response.json({ inviter: { username: "ann" } }),
      "POST /api/invites/raced/accept": gone,
    });
    const raced = new InviteLandingModel("raced");
    disposers.push(() => raced[Symbol.dispose]());
    await vi.waitFor(() => expect(raced.state.value.kind).toBe("live"));
    await expect(raced.accept()).resolves.toBeNull();
    expect(raced.state.value).toEqual({ kind: "gone" });
    expect(raced.acceptError.value).toBeNull();
  });

  it("tells a failure to reach the server apart from a gone link", async () => {
    vi.stubGlobal("fetch", async () => {
      throw new TypeError("Failed to fetch");
    });
    const landing = new InviteLandingModel("abc");
    disposers.push(() => landing[Symbol.dispose]());
    await vi.waitFor(() => expect(landing.state.value.kind).toBe("error"));
  });
});

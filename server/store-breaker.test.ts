import { describe, expect, it } from "vitest";
import { Outage } from "./outage";
import type { Store } from "./ports/store";
import { withBreaker } from "./store-breaker";

const RETRY_AFTER_MS = 5_000;
const UNAVAILABLE = { ok: false, reason: "unavailable" } as const;

/**
 * A Store-shaped double that answers what the test says and records every call reaching it: the
 * breaker's logic under test, not an integration (test/workers-mongo/outage.test.ts runs the app
 * against a stopped FerretDB).
 */
function storeAnswering() {
  const calls: string[] = [];
  const state = { up: false };
  const store = new Proxy({} as Store, {
    get: (_target, key) => {
      if (typeof key !== "string" || key === "then") return undefined;
      return async () => {
        calls.push(key);
        return state.up ? { ok: true, value: null } : UNAVAILABLE;
      };
    },
  });
  return { store, calls, state };
}

function breaker() {
  const clock = { now: 1_000_000 };
  const outage = new Outage(
    "MongoDB",
    { retryAfterMs: RETRY_AFTER_MS, logIntervalMs: 60_000, meanwhile: "" },
    () => clock.now,
    () => {},
  );
  return { outage, clock };
}

describe("the Store behind a breaker", () => {
  it("answers unavailable at once after a Store call answered unavailable, without asking the Store", async () => {
    const { store, calls } = storeAnswering();
    const { outage } = breaker();
    const broken = withBreaker(store, outage);
    expect(await broken.getUser("u1")).toEqual(UNAVAILABLE);
    expect(calls).toEqual(["getUser"]);
    expect(await broken.openConversation("u1", "c1")).toEqual(UNAVAILABLE);
    expect(await broken.archiveMessages([])).toEqual(UNAVAILABLE);
    expect(calls).toEqual(["getUser"]);
  });

  it("asks again once the window has passed: one probe, and the Store answering closes it", async () => {
    const { store, calls, state } = storeAnswering();
    const { outage, clock } = breaker();
    const broken = withBreaker(store, outage);
    await broken.getUser("u1");
    state.up = true;
    clock.now += RETRY_AFTER_MS;
    const [probe, skipped] = await Promise.all([broken.listConnections("u1"), broken.listGroups("u1")]);
    expect(probe).toEqual({ ok: true, value: null });
    expect(skipped).toEqual(UNAVAILABLE);
    expect(calls).toEqual(["getUser", "listConnections"]);
    expect(await broken.listGroups("u1")).toEqual({ ok: true, value: null });
  });

  it("always asks the Store for a ping, which closes the breaker when it answers", async () => {
    const { store, calls, state } = storeAnswering();
    const { outage } = breaker();
    const broken = withBreaker(store, outage);
    await broken.getUser("u1");
    expect(await broken.ping()).toEqual(UNAVAILABLE);
    state.up = true;
    expect(await broken.ping()).toEqual({ ok: true, value: null });
    expect(await broken.getUser("u1")).toEqual({ ok: true, value: null });
    expect(calls).toEqual(["getUser", "ping", "ping", "getUser"]);
  });

  it("keeps other answers and errors as they are, and they do not open it", async () => {
    const { outage } = breaker();
    const store = {
      getUser: async () => ({ ok: false, reason: "not_found" }),
      ping: async () => {
        throw new Error("bad input");
      },
    } as unknown as Store;
    const broken = withBreaker(store, outage);
    expect(await broken.getUser("u1")).toEqual({ ok: false, reason: "not_found" });
    await expect(broken.ping()).rejects.toThrow("bad input");
    expect(outage.isDown()).toBe(false);
  });
});

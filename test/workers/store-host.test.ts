import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { StoreHost } from "../../durable-objects/store-host";
import { storeAt } from "../../server/ports";

// StoreHost forwards any Store call by name (durable-objects/store-host.ts): one RPC per call, and
// nothing that is not a Store call.
describe("StoreHost's one call", () => {
  const host = () => env.STORE_HOSTS.get(env.STORE_HOSTS.idFromName(crypto.randomUUID()));

  it("answers a Store call by name, as the typed Store over it does", async () => {
    const stub = host();
    expect(await stub.call("getUser", ["nobody"])).toEqual({ ok: true, value: null });
    expect(await storeAt(env, "embedded").getUser("nobody")).toEqual({ ok: true, value: null });
  });

  it("refuses a name that is not a Store call, such as what every object has", async () => {
    // Inside the object: an exception thrown across RPC is logged by workerd as uncaught.
    await runInDurableObject(host(), (instance: StoreHost) => {
      for (const name of ["constructor", "toString", "hasOwnProperty", "noSuchCall"]) {
        expect(() => instance.call(name as "ping", [])).toThrow(/is not a Store call/);
      }
    });
  });
});

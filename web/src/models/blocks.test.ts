import { afterEach, describe, expect, it, vi } from "vitest";
import { BlockedModel } from "./blocks";

afterEach(() => vi.unstubAllGlobals());

describe("the blocked people list", () => {
  it("lists whom the person blocked and unblocks one with DELETE /api/blocks/:userId", async () => {
    const calls: string[] = [];
    vi.stubGlobal("fetch", async (path: string, init: RequestInit) => {
      calls.push(`${init.method} ${path}`);
      if (init.method === "GET")
        return Response.json({
          blocked: [
            { id: "u-1", username: "mallory" },
            { id: "u-2", username: "trudy" },
          ],
        });
      return new Response(null, { status: 204 });
    });
    const blocked = new BlockedModel();
    await vi.waitFor(() => expect(blocked.state.value).toBe("ready"));
    expect(blocked.people.value.map((person) => person.username)).toEqual(["mallory", "trudy"]);
    await blocked.unblock("u-1");
    expect(calls).toEqual(["GET /api/blocks", "DELETE /api/blocks/u-1"]);
    expect(blocked.people.value.map((person) => person.username)).toEqual(["trudy"]);
    blocked[Symbol.dispose]();
  });

  it("keeps the person listed when unblocking failed, and says why", async () => {
    vi.stubGlobal("fetch", async (_path: string, init: RequestInit) =>
      init.method === "GET"
        ? Response.json({ blocked: [{ id: "u-1", username: "mallory" }] })
        : Response.json(
            { error: { code: "store_unavailable", message: "The database did not answer." } },
            { status: 503 },
          ),
    );
    const blocked = new BlockedModel();
    await vi.waitFor(() => expect(blocked.state.value).toBe("ready"));
    await blocked.unblock("u-1");
    expect(blocked.people.value).toHaveLength(1);
    expect(blocked.error.value).toBe("The database did not answer.");
    blocked[Symbol.dispose]();
  });
});

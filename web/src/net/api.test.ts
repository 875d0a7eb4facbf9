import { afterEach, describe, expect, it, vi } from "vitest";
import { api } from "./api";

afterEach(() => vi.unstubAllGlobals());

describe("a refusal for too many attempts", () => {
  it("says how long to wait in words, from Retry-After", async () => {
    const body = { error: { code: "rate_limited", message: "Too many attempts. Try again in 592 s." } };
    vi.stubGlobal(
      "fetch",
      vi.fn(async () => Response.json(body, { status: 429, headers: { "retry-after": "592" } })),
    );
    await expect(api.login("ann", "password123")).rejects.toMatchObject({
      status: 429,
      code: "rate_limited",
      message: "Too many attempts. Try again in 10 minutes.",
    });
  });
});

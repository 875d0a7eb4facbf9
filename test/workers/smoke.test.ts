import { SELF } from "cloudflare:test";
import { it, expect } from "vitest";
it("answers", async () => {
  const r = await SELF.fetch("http://x/api/health");
  expect(await r.text()).toBe("ok");
});

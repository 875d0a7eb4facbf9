import { env } from "cloudflare:workers";
import { describeCacheContract } from "../ports/cache.contract";
import { UpstashCache } from "./upstash-cache";

/** Set by the workers project's global setup (test/services/upstash-for-workers.ts). */
const { TEST_UPSTASH_URL, TEST_UPSTASH_TOKEN } = env as unknown as Record<string, string>;

// Inside workerd, as in production: the real client over workerd's fetch, the local REST
// server and a real redis-server. A fresh prefix per run, so the suite starts from nothing.
describeCacheContract(
  "Upstash (inside workerd)",
  () =>
    new UpstashCache({
      url: TEST_UPSTASH_URL ?? "",
      token: TEST_UPSTASH_TOKEN ?? "",
      prefix: `test-${crypto.randomUUID()}`,
      timeoutMs: 1_000,
    }),
);

// The bench's Worker: the product's, with the bench's routes under /api/__bench. Only the bench
// serves it (bench/lib/server.mjs); wrangler.toml's main, the product, has none of them.
import { env } from "cloudflare:workers";
import { countersOn } from "../../server/counters";
import { createApp } from "../../worker/app";
import product from "../../worker/index";
import { benchCounterRoutes } from "./counter-routes";
import { benchSeedRoutes } from "./seed-routes";

/**
 * The product's app plus seeding, and the counters' read-out where counters count (BENCH_COUNTERS
 * is "1"): elsewhere it would answer zeros as if something had been measured.
 */
export function createBenchApp(options: { counters: boolean }) {
  const app = createApp().route("/__bench", benchSeedRoutes);
  return options.counters ? app.route("/__bench", benchCounterRoutes) : app;
}

// countersOn also wraps `fetch` for the isolate, so it is asked before any request.
const app = createBenchApp({ counters: countersOn(env) });

export default { ...product, fetch: app.fetch } satisfies ExportedHandler<Env>;

export { ConversationRoom, EmbeddedCache, Purger, StoreHost, UserHub } from "../../worker/index";

import { Hono } from "hono";
import { readCounters } from "../../server/counters";
import type { AppEnv } from "../../worker/context";

/**
 * Bench only (bench/README.md, "Per message"): the bench's Worker (./index.ts) mounts it when
 * BENCH_COUNTERS is "1"; the product's app has no such path. Answers the counts since the last
 * read and starts a new window.
 */
export const benchCounterRoutes = new Hono<AppEnv>().get("/counters", (c) => c.json(readCounters()));

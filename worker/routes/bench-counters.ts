import { Hono } from "hono";
import { readCounters } from "../../server/counters";
import type { AppEnv } from "../context";

/**
 * Bench only (bench/README.md, "Per message"): createApp mounts it only when BENCH_COUNTERS is
 * "1", which only the bench passes; otherwise the path does not exist. Answers the counts since
 * the last read and starts a new window.
 */
export const benchCounterRoutes = new Hono<AppEnv>().get("/counters", (c) => c.json(readCounters()));

/**
 * Timings that couple the objects' heartbeat sweeps to the presence snapshots they refresh.
 * The heartbeat itself (interval, timeout) is the protocol's: protocol/wire.ts.
 */
import { HEARTBEAT_TIMEOUT_MS } from "../protocol/wire";

/** How often an object with open sockets looks for sockets whose heartbeats stopped. */
export const SWEEP_INTERVAL_MS = HEARTBEAT_TIMEOUT_MS / 3;

/** A presence snapshot outlives a missed refresh (hubs refresh it every sweep) but not a crashed hub. */
export const PRESENCE_TTL_SECONDS = (3 * SWEEP_INTERVAL_MS) / 1000;

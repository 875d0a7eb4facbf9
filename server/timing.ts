/**
 * Timings that couple the objects' heartbeat sweeps to the presence snapshots they refresh.
 * The heartbeat itself (interval, timeout) is the protocol's: protocol/wire.ts.
 */
import { HEARTBEAT_TIMEOUT_MS } from "../protocol/wire";

/**
 * How often an object with open sockets looks for sockets whose heartbeats stopped: about the
 * timeout, so an idle object wakes rarely; a vanished tab is seen gone within one to two timeouts.
 */
export const SWEEP_INTERVAL_MS = HEARTBEAT_TIMEOUT_MS;

/** A presence snapshot outlives one missed refresh (hubs refresh it every sweep) but not a crashed hub. */
export const PRESENCE_TTL_SECONDS = (2 * SWEEP_INTERVAL_MS) / 1000;

/** The store did not answer in time (network, failover, overload): try again shortly. */
export type Unavailable = { ok: false; reason: "unavailable" };

/** A value, an expected failure named by `E`, or the store being unreachable. */
export type Result<T, E extends string = never> = { ok: true; value: T } | { ok: false; reason: E } | Unavailable;

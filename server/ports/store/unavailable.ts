import type { Result, Unavailable } from "./result";

/**
 * The Store did not answer a call: nothing that call would have changed was changed, and a
 * retry shortly may succeed. The edge answers it with 503 `store_unavailable`
 * (worker/middleware/errors.ts); the purge leaves the account for its next run.
 */
export class StoreUnavailableError extends Error {
  constructor(call?: string) {
    super(call ? `the Store was unavailable for ${call}` : "the Store was unavailable");
    this.name = "StoreUnavailableError";
  }
}

/** A result that the Store answered: its value, or one of the failures the call names. */
export type Answered<T, E extends string = never> = Exclude<Result<T, E>, Unavailable>;

/**
 * The result with `unavailable` thrown as StoreUnavailableError, for a caller with no fallback:
 * what is left is the value, or a failure the call names (`conflict`, `not_found`, ...).
 */
export function answered<T, E extends string = never>(result: Result<T, E>, call?: string): Answered<T, E> {
  if (!result.ok && result.reason === "unavailable") throw new StoreUnavailableError(call);
  return result as Answered<T, E>;
}

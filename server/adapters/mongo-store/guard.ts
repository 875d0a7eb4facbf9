import { MongoBulkWriteError, MongoError, MongoServerError } from "mongodb";
import { log } from "../../log";
import type { Result } from "../../ports/store";

export const ok = <T>(value: T) => ({ ok: true, value }) as const;
const UNAVAILABLE = { ok: false, reason: "unavailable" } as const;
export const DUPLICATE_KEY = 11000;
/** Server answers that mean "not now" (failover, shutdown, overload) rather than a bad request. */
const TRANSIENT_CODES = new Set([6, 7, 89, 91, 189, 262, 9001, 10107, 11600, 11602, 13435, 13436, 462]);

/** True when the error means the cluster is unreachable or busy, not that the request is wrong. */
export function isUnavailable(error: unknown): boolean {
  if (!(error instanceof MongoError)) return false;
  if (!(error instanceof MongoServerError)) return true;
  // A bulk write (insertMany) that never got an answer wraps the driver's own error, labels lost.
  if (error instanceof MongoBulkWriteError && error.errorResponse instanceof MongoError) {
    return isUnavailable(error.errorResponse);
  }
  return (
    error.hasErrorLabel("RetryableWriteError") ||
    error.hasErrorLabel("SystemOverloadedError") ||
    TRANSIENT_CODES.has(Number(error.code))
  );
}

/** Runs one Store operation, turning "the cluster did not answer" into a value. */
export async function guard<T, E extends string>(operation: () => Promise<Result<T, E>>): Promise<Result<T, E>> {
  try {
    return await operation();
  } catch (error) {
    if (isUnavailable(error)) {
      log("warn", "mongo_unavailable", {}, error);
      return UNAVAILABLE;
    }
    throw error;
  }
}

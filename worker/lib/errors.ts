import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { ApiErrorCode } from "../../protocol/errors";

/** An error answered to the client as `{error: {code, message}}` with its status. */
export class ApiError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: ApiErrorCode,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = "ApiError";
  }
}

export const badRequest = (message: string, code: ApiErrorCode = "invalid_input") => new ApiError(400, code, message);
export const unauthorized = (message = "Sign in first.", code: ApiErrorCode = "unauthorized") =>
  new ApiError(401, code, message);
export const forbidden = (message: string, code: ApiErrorCode = "not_a_member") => new ApiError(403, code, message);
export const notFound = (message: string, code: ApiErrorCode = "not_found") => new ApiError(404, code, message);
export const conflict = (message: string, code: ApiErrorCode) => new ApiError(409, code, message);
export const tooManyRequests = (retryAfterSeconds: number) =>
  new ApiError(429, "rate_limited", `Too many attempts. Try again in ${retryAfterSeconds} s.`, {
    "Retry-After": String(retryAfterSeconds),
  });
/** The Store did not answer in time: nothing was changed, and the client may retry shortly. */
export const storeUnavailable = () =>
  new ApiError(503, "store_unavailable", "We cannot reach our database right now. Try again shortly.", {
    "Retry-After": "5",
  });

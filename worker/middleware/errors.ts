import type { ErrorHandler, NotFoundHandler } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ErrorBody } from "../../protocol/api";
import { log } from "../../server/log";
import { StoreUnavailableError } from "../../server/ports/store";
import type { AppEnv } from "../context";
import { ApiError, storeUnavailable } from "../lib/errors";

/** One answer for every error: `{error: {code, message}}`, never a stack. */
export const onError: ErrorHandler<AppEnv> = (thrown, c) => {
  // The one place a Store that did not answer becomes the client's 503 (server/ports/store/unavailable.ts).
  const error = thrown instanceof StoreUnavailableError ? storeUnavailable() : thrown;
  if (error instanceof ApiError) {
    return c.json<ErrorBody>({ error: { code: error.code, message: error.message } }, error.status, error.headers);
  }
  if (error instanceof HTTPException) {
    // Hono's own refusals, such as a body that is not JSON.
    const code = error.status === 400 ? "invalid_input" : "http_error";
    return c.json<ErrorBody>({ error: { code, message: error.message || "Request failed." } }, error.status);
  }
  log("error", "unhandled_error", { method: c.req.method, path: c.req.routePath }, error);
  return c.json<ErrorBody>(
    { error: { code: "internal_error", message: "Something went wrong on our side. Please try again." } },
    500,
  );
};

export const onNotFound: NotFoundHandler<AppEnv> = (c) =>
  c.json<ErrorBody>({ error: { code: "not_found", message: `No route for ${c.req.method} ${c.req.path}.` } }, 404);

/**
 * Every error code the server sends, closed lists that the server and the client share: over
 * HTTP as `{error: {code, message}}`, on a socket as an `error` frame. API.md explains each.
 */
export const API_ERROR_CODES = [
  "invalid_input",
  "payload_too_large",
  "unauthorized",
  "session_expired",
  "session_ended",
  "session_ambiguous",
  "account_ended",
  "invalid_credentials",
  "username_taken",
  "user_not_found",
  "cannot_connect_self",
  "conversation_not_found",
  "connection_not_found",
  "invite_not_found",
  "not_a_member",
  "not_a_contact",
  "not_admin",
  "group_full",
  "not_found",
  "origin_required",
  "origin_not_allowed",
  "upgrade_required",
  "rate_limited",
  "store_unavailable",
  "session_check_unavailable",
  "server_misconfigured",
  "bad_request",
  "http_error",
  "internal_error",
] as const;
export type ApiErrorCode = (typeof API_ERROR_CODES)[number];

/** Codes of `error` frames from a room or a hub. */
export const FRAME_ERROR_CODES = [
  "frame_too_large",
  "invalid_json",
  "unknown_type",
  "invalid_frame",
  "rate_limited",
  "duplicate_id",
  "quota_exceeded",
  "request_pending",
  "unexpected_frame",
  "internal_error",
] as const;
export type FrameErrorCode = (typeof FRAME_ERROR_CODES)[number];

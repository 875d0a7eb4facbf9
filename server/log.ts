/**
 * Structured logs: one JSON object per line with a level and an event name, so that a log
 * search can count and filter them. Fields are ids, counts and reasons: never a password,
 * token, cookie or message body (a test scans the logs of the whole suite for them).
 */
export type LogLevel = "info" | "warn" | "error";
export type LogFields = Record<string, string | number | boolean | null | undefined>;

export function log(level: LogLevel, event: string, fields: LogFields = {}, error?: unknown): void {
  const line = JSON.stringify({ level, event, ...fields, ...(error === undefined ? {} : { error: describe(error) }) });
  if (level === "info") console.log(line);
  else if (level === "warn") console.warn(line);
  else console.error(line);
}

/** An error's kind and message: enough to act on, without the objects it may hold. */
function describe(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return typeof error === "string" ? error : "non-error thrown";
}

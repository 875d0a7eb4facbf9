const FALLBACK = "Something went wrong. Please try again.";

/** What to show the person for anything thrown or rejected: an Error's own message, else a plain line. */
export function errorMessage(error: unknown): string {
  if (error instanceof Error && error.message) return error.message;
  if (typeof error === "string" && error) return error;
  return FALLBACK;
}

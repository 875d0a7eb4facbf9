import type { Connection, ErrorBody, Message, User, UserSummary } from "../../../protocol/api";
import { formatWait } from "../format";

/** An API error as the person should read it. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

let onUnauthorized: () => void = () => {};

/** Called when any request answers 401 after sign-in: the session is gone. */
export function setUnauthorizedHandler(handler: () => void): void {
  onUnauthorized = handler;
}

async function request<T>(method: string, path: string, body?: unknown, probe = false): Promise<T> {
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      credentials: "same-origin",
      headers: body === undefined ? undefined : { "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ApiError(0, "network", "Cannot reach the server. Check your connection and try again.");
  }
  if (response.ok) return (response.status === 204 ? undefined : await response.json()) as T;
  const error = await toError(response);
  if (error.status === 401 && !probe) onUnauthorized();
  throw error;
}

async function toError(response: Response): Promise<ApiError> {
  const fallback = `The server answered ${response.status}. Please try again.`;
  const body = (await response.json().catch(() => null)) as Partial<ErrorBody> | null;
  const code = body?.error?.code ?? "http_error";
  const wait = Number(response.headers.get("retry-after"));
  // Said as a person would: "in 10 minutes", not "in 592 s".
  if (response.status === 429 && wait > 0) {
    return new ApiError(429, code, `Too many attempts. Try again in ${formatWait(wait)}.`);
  }
  return new ApiError(response.status, code, body?.error?.message ?? fallback);
}

export const api = {
  /** Whether a session exists: a 401 here is an answer, not a lost session. */
  me: () => request<{ user: User }>("GET", "/api/me", undefined, true),
  signup: (username: string, password: string, lifetimeHours: number) =>
    request<{ user: User }>("POST", "/api/auth/signup", { username, password, lifetimeHours }, true),
  login: (username: string, password: string) =>
    request<{ user: User }>("POST", "/api/auth/login", { username, password }, true),
  logout: () => request<void>("POST", "/api/auth/logout"),
  deleteAccount: () => request<void>("DELETE", "/api/me"),
  searchUsers: (q: string) => request<{ users: UserSummary[] }>("GET", `/api/users?q=${encodeURIComponent(q)}`),
  connections: () => request<{ connections: Connection[] }>("GET", "/api/connections"),
  connect: (userId: string) => request<{ connection: Connection }>("POST", "/api/connections", { userId }),
  messages: (conversationId: string, before: number | null, limit: number) => {
    const query = new URLSearchParams({ limit: String(limit) });
    if (before !== null) query.set("before", String(before));
    return request<{ messages: Message[]; hasMore: boolean }>(
      "GET",
      `/api/conversations/${encodeURIComponent(conversationId)}/messages?${query}`,
    );
  },
};

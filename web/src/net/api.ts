import type { Connection, ErrorBody, Group, Message, User, UserSummary } from "../../../protocol/api";
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

export async function request<T>(method: string, path: string, body?: unknown, probe = false): Promise<T> {
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

/** GET /api/conversations/:id: a one-to-one conversation, or a group. */
export type ConversationAnswer =
  | { connection: Connection; group?: undefined }
  | { group: Group; connection?: undefined };

/** Someone the person blocked, as GET /api/blocks lists them. */
export interface BlockedPerson {
  id: string;
  username: string;
}

/** A single-use invitation; its link is `/invite/<token>`. */
export interface Invite {
  token: string;
  expiresAt: string;
}

const user = (userId: string) => encodeURIComponent(userId);

/** Messages per page of history the app asks for (the server allows up to HISTORY_PAGE_MAX). */
export const HISTORY_PAGE = 50;

/** One page of a conversation's history, oldest first. */
export type HistoryPage = { messages: Message[]; hasMore: boolean };

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
  /** Accepts a request the person was sent. */
  accept: (userId: string) => request<{ connection: Connection }>("POST", `/api/connections/${user(userId)}/accept`),
  /** Removes a contact, or declines or withdraws a request: the conversation goes for both sides. */
  disconnect: (userId: string) => request<void>("DELETE", `/api/connections/${user(userId)}`),
  block: (userId: string) => request<void>("POST", "/api/blocks", { userId }),
  blocked: () => request<{ blocked: BlockedPerson[] }>("GET", "/api/blocks"),
  unblock: (userId: string) => request<void>("DELETE", `/api/blocks/${user(userId)}`),
  createInvite: () => request<{ invite: Invite }>("POST", "/api/invites"),
  /** Who sent a live invite; answered without a session, so a 401 here ends nothing. */
  invite: (token: string) =>
    request<{ inviter: { username: string } }>("GET", `/api/invites/${encodeURIComponent(token)}`, undefined, true),
  acceptInvite: (token: string) =>
    request<{ connection: Connection }>("POST", `/api/invites/${encodeURIComponent(token)}/accept`),
  groups: () => request<{ groups: Group[] }>("GET", "/api/groups"),
  /** One conversation of the person's, as the lists give it: a direct link needs no more. */
  conversation: (conversationId: string) =>
    request<ConversationAnswer>("GET", `/api/conversations/${encodeURIComponent(conversationId)}`),
  messages: (conversationId: string, before: number | null, limit: number) => {
    const query = new URLSearchParams({ limit: String(limit) });
    if (before !== null) query.set("before", String(before));
    return request<HistoryPage>("GET", `/api/conversations/${encodeURIComponent(conversationId)}/messages?${query}`);
  },
};

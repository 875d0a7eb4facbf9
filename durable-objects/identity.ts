import * as v from "valibot";

/**
 * Who the Worker vouches for when it forwards a WebSocket upgrade to an object. These headers
 * are set only by the Worker; any that arrive from outside are stripped first.
 */
export const INTERNAL_HEADER_PREFIX = "x-chat-";
const IDENTITY_HEADER = "x-chat-identity";

const IdentitySchema = v.object({
  userId: v.string(),
  username: v.string(),
  /** The sign-in the socket belongs to, so that logging out can end it. */
  sessionId: v.string(),
  /** When the account ends (ms since the epoch): the object refuses the socket from then on. */
  expiresAt: v.number(),
  conversationId: v.optional(v.string()),
  members: v.optional(v.array(v.object({ id: v.string(), username: v.string() }))),
  /** While the conversation is a request not yet accepted: who asked. */
  pendingFrom: v.optional(v.nullable(v.string())),
  /** A group's name and admins (`OpenedConversation.group`); absent for a one-to-one conversation. */
  group: v.optional(v.object({ name: v.string(), admins: v.array(v.string()) })),
});
export type Identity = v.InferOutput<typeof IdentitySchema>;

/** A copy of the request with the internal headers removed (the request itself when it has none). */
export function stripInternalHeaders(request: Request): Request {
  const headers = externalHeaders(request);
  return headers ? new Request(request, { headers }) : request;
}

/** The request to forward to an object, carrying the identity the Worker checked. */
export function withIdentity(request: Request, identity: Identity): Request {
  const headers = externalHeaders(request) ?? new Headers(request.headers);
  headers.set(IDENTITY_HEADER, JSON.stringify(identity));
  return new Request(request, { headers });
}

/** The request's headers without the internal ones, or null when there were none to remove. */
function externalHeaders(request: Request): Headers | null {
  const internal = [...request.headers.keys()].filter((name) => name.toLowerCase().startsWith(INTERNAL_HEADER_PREFIX));
  if (internal.length === 0) return null;
  const headers = new Headers(request.headers);
  for (const name of internal) headers.delete(name);
  return headers;
}

export function readIdentity(request: Request): Identity | null {
  const raw = request.headers.get(IDENTITY_HEADER);
  if (!raw) return null;
  try {
    const parsed = v.safeParse(IdentitySchema, JSON.parse(raw));
    return parsed.success ? parsed.output : null;
  } catch {
    return null;
  }
}

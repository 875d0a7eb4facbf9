/**
 * The WebSocket protocol, defined once for the Durable Objects and the web app.
 * Frames are JSON objects with a `type`; every frame is validated on receipt.
 * Changes are additive; `hello` carries PROTOCOL_VERSION.
 */
import * as v from "valibot";
import { FRAME_ERROR_CODES, type FrameErrorCode } from "./errors";

export const PROTOCOL_VERSION = 1;

/** Heartbeat text frames, answered by the platform without waking the object. */
export const HEARTBEAT_PING = "ping";
export const HEARTBEAT_PONG = "pong";
export const HEARTBEAT_INTERVAL_MS = 20_000;
/**
 * A socket with no ping for this long is treated as gone. Generous, because a hidden tab's
 * timers may be slowed to one a minute; sweeps every 30 s make detection take 90–120 s.
 */
export const HEARTBEAT_TIMEOUT_MS = 90_000;

export const WIRE_LIMITS = {
  /** Largest frame accepted from a client, in bytes of UTF-8. */
  maxFrameBytes: 16 * 1024,
  maxBodyChars: 4000,
  maxClientIdChars: 64,
  /** Token bucket per socket for sends: burst, then this many per second. */
  sendBurst: 10,
  sendsPerSecond: 5,
  /** Protocol violations tolerated before the socket is closed with 1008. */
  maxViolations: 20,
  /** Messages one `resume` replays at most; the client asks again after `replayed` says more. */
  replayPage: 200,
  /** Token bucket per socket for `resume`: a reconnect needs one, a long catch-up a few. */
  resumeBurst: 5,
  resumesPerSecond: 2,
  /** A user's typing state reaches the others at most this often (a stop always does). */
  typingRelayMs: 1_000,
  /** Messages the person who asked may send before the request is accepted. */
  messagesBeforeAccept: 3,
  /** Open sockets per user in one room, and in their hub: a new one closes the oldest. */
  socketsPerUser: 10,
  /** Characters of message bodies one user may store in one conversation (about 2 500 long ones). */
  storedCharsPerUser: 10_000_000,
} as const;

/** Close codes the server uses. */
export const CLOSE_POLICY_VIOLATION = 1008;
/**
 * Application close codes: the server ended the socket for good, and the client must not
 * reconnect. The close reason of CLOSE_ACCOUNT_ENDED is an AccountEndReason.
 */
export const CLOSE_ACCOUNT_ENDED = 4001;
/** This session was logged out (in this tab or another one). */
export const CLOSE_SESSION_ENDED = 4002;
/**
 * The conversation is gone for this user: the connection was removed, the other member's account
 * ended, or they were removed from the group or left it (close reason `removed` or `left`).
 */
export const CLOSE_CONVERSATION_ENDED = 4003;
/** The user opened more than WIRE_LIMITS.socketsPerUser sockets here: this, the oldest, gave way. */
export const CLOSE_REPLACED = 4004;

export const ACCOUNT_END_REASONS = ["expired", "deleted"] as const;
export type AccountEndReason = (typeof ACCOUNT_END_REASONS)[number];
/** Why a connection left a user's list: one side removed it, or the other account ended. */
export const CONNECTION_REMOVAL_REASONS = ["removed", "account-ended"] as const;
export type ConnectionRemovalReason = (typeof CONNECTION_REMOVAL_REASONS)[number];

const ClientMessageId = v.pipe(
  v.string(),
  v.minLength(1),
  v.maxLength(WIRE_LIMITS.maxClientIdChars),
  v.regex(/^[A-Za-z0-9_-]+$/, "the message id may hold only letters, digits, _ and -"),
);
/** Control characters other than tab and newline (NUL, escapes, DEL, C1). */
const CONTROL_CHARACTER = /(?![\t\n])\p{Cc}/u;
/** Something a reader can see: not a space, not an invisible format or control character. */
const VISIBLE_CHARACTER = /[^\p{White_Space}\p{Cc}\p{Cf}\p{Zl}\p{Zp}\u115F\u1160\u3164\uFFA0\u2800]/u;

/** Text a person reads: well-formed, no control characters, at least one visible character. */
export function textProblem(text: string): string | null {
  if (!text.isWellFormed()) return "the text holds a broken character (a lone surrogate)";
  if (CONTROL_CHARACTER.test(text)) return "the text holds a control character";
  if (!VISIBLE_CHARACTER.test(text)) return "the text has nothing visible in it";
  return null;
}

/** Trimmed text a person reads (a message, a group's name): 1 to `maxChars` characters, see textProblem. */
export function readableText(what: string, maxChars: number) {
  return v.pipe(
    v.string(`the ${what} is required`),
    v.trim(),
    v.minLength(1, `the ${what} is empty`),
    v.maxLength(maxChars, `a ${what} holds at most ${maxChars} characters`),
    v.rawCheck(({ dataset, addIssue }) => {
      const problem = dataset.typed ? textProblem(dataset.value) : null;
      if (problem) addIssue({ message: problem });
    }),
  );
}

const MessageBody = readableText("message", WIRE_LIMITS.maxBodyChars);
const Seq = v.pipe(v.number(), v.integer(), v.minValue(0));

/** What a system line in a group records; `actor` did it, to `targets`. */
export const GROUP_EVENTS = ["created", "added", "removed", "left", "renamed", "admin", "account-ended"] as const;
export type GroupEvent = (typeof GROUP_EVENTS)[number];
const UserRefSchema = v.object({ id: v.string(), username: v.string() });

/**
 * A change to a group, kept in its log as a message from SYSTEM_SENDER_ID whose body is the
 * sentence people read ("ann added bob"), so previews and history need nothing else.
 */
export const SystemEventSchema = v.object({
  event: v.picklist(GROUP_EVENTS),
  /** Who did it; null when nobody did (an account that ended). */
  actor: v.nullable(UserRefSchema),
  targets: v.array(UserRefSchema),
  /** The new name, for `created` and `renamed`. */
  name: v.optional(v.string()),
});
export type SystemEvent = v.InferOutput<typeof SystemEventSchema>;
/** The sender of system lines: not a user id (user ids never hold a colon). */
export const SYSTEM_SENDER_ID = "system:";

export const MessageSchema = v.object({
  id: v.string(),
  seq: Seq,
  conversationId: v.string(),
  senderId: v.string(),
  /** Empty once the sender deleted the message for everyone. */
  body: v.string(),
  sentAt: v.string(),
  /** Present and true once deleted: shown as "message deleted". */
  deleted: v.optional(v.literal(true)),
  /** Present on a group's system line (sender SYSTEM_SENDER_ID). */
  system: v.optional(SystemEventSchema),
});

export type Message = v.InferOutput<typeof MessageSchema>;

export const ClientMessageSchema = v.variant("type", [
  v.object({ type: v.literal("send"), id: ClientMessageId, body: MessageBody }),
  v.object({ type: v.literal("typing"), on: v.boolean() }),
  v.object({ type: v.literal("read"), seq: Seq }),
  v.object({ type: v.literal("resume"), afterSeq: Seq }),
  /** Deletes one of the sender's own messages for everyone. */
  v.object({ type: v.literal("delete"), seq: v.pipe(Seq, v.minValue(1)) }),
]);
export type ClientMessage = v.InferOutput<typeof ClientMessageSchema>;

const MemberSchema = v.object({ id: v.string(), username: v.string(), online: v.boolean() });
/** A group's name and who manages it; absent for a one-to-one conversation. */
const RoomGroupSchema = v.object({ name: v.string(), admins: v.array(v.string()) });

export const ServerMessageSchema = v.variant("type", [
  v.object({
    type: v.literal("hello"),
    protocol: v.number(),
    conversationId: v.string(),
    me: v.string(),
    members: v.array(MemberSchema),
    lastSeq: Seq,
    readUpTo: v.record(v.string(), Seq),
    group: v.optional(RoomGroupSchema),
    /** In a group: the first seq this member may see (history from when they joined). */
    visibleFromSeq: v.optional(Seq),
  }),
  v.object({ type: v.literal("message"), message: MessageSchema }),
  /** A group's members or name changed (a system line says how): the whole new state. */
  v.object({ type: v.literal("members"), members: v.array(MemberSchema), group: RoomGroupSchema }),
  v.object({ type: v.literal("ack"), id: v.string(), seq: Seq }),
  /** A message was deleted for everyone: show it as "message deleted". */
  v.object({ type: v.literal("deleted"), seq: Seq }),
  /** Ends one page of replay after `resume`: `more` asks the client to resume after `throughSeq`. */
  v.object({ type: v.literal("replayed"), throughSeq: Seq, more: v.boolean() }),
  v.object({ type: v.literal("typing"), userId: v.string(), on: v.boolean() }),
  v.object({ type: v.literal("read"), userId: v.string(), seq: Seq }),
  v.object({ type: v.literal("presence"), userId: v.string(), online: v.boolean() }),
  v.object({
    type: v.literal("error"),
    code: v.picklist(FRAME_ERROR_CODES),
    message: v.string(),
    /** The message a refusal concerns: a send's id, whenever the frame's id was a valid one. */
    id: v.optional(v.string()),
    /** The message a refused `delete` named. */
    seq: v.optional(Seq),
    /** With `rate_limited`: send again (the same id) after this long; sends before then are refused too. */
    retryAfterMs: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0))),
  }),
]);
export type ServerMessage = v.InferOutput<typeof ServerMessageSchema>;

/** A request waits for the person asked; an accepted connection is a contact. */
export const CONNECTION_STATUSES = ["pending", "accepted"] as const;
/** Who asked: `outgoing` when the viewer did. */
export const CONNECTION_DIRECTIONS = ["outgoing", "incoming"] as const;

export const ConnectionSchema = v.object({
  user: v.object({ id: v.string(), username: v.string() }),
  conversationId: v.string(),
  status: v.picklist(CONNECTION_STATUSES),
  direction: v.picklist(CONNECTION_DIRECTIONS),
  online: v.boolean(),
  /** When an offline contact was last online, when known. */
  lastSeenAt: v.optional(v.nullable(v.string())),
  lastMessage: v.nullable(MessageSchema),
  unread: v.pipe(v.number(), v.integer(), v.minValue(0)),
});
export type Connection = v.InferOutput<typeof ConnectionSchema>;

export const GroupSchema = v.object({
  /** Also its conversation id: the room, the socket path, history. */
  id: v.string(),
  name: v.string(),
  members: v.array(v.object({ id: v.string(), username: v.string(), admin: v.boolean() })),
  createdBy: v.string(),
  createdAt: v.string(),
  /** Muted by the viewer: no notifications but mentions. */
  muted: v.boolean(),
  lastMessage: v.nullable(MessageSchema),
  unread: v.pipe(v.number(), v.integer(), v.minValue(0)),
  /** An unread message mentions the viewer (`@username`). */
  mentioned: v.boolean(),
});
export type Group = v.InferOutput<typeof GroupSchema>;
/** Why a group left a user's list. */
export const GROUP_REMOVAL_REASONS = ["removed", "left", "deleted"] as const;

export const HubMessageSchema = v.variant("type", [
  /** `lastSeenAt`: when an offline contact's last socket closed, when known. */
  v.object({
    type: v.literal("presence"),
    userId: v.string(),
    online: v.boolean(),
    lastSeenAt: v.optional(v.nullable(v.string())),
  }),
  /** A contact is typing in a conversation the user does not have open (at most once a second). */
  v.object({ type: v.literal("typing"), conversationId: v.string(), userId: v.string(), on: v.boolean() }),
  v.object({
    type: v.literal("unread"),
    conversationId: v.string(),
    unread: v.pipe(v.number(), v.integer(), v.minValue(0)),
    lastMessage: v.nullable(MessageSchema),
    /** In a group: an unread message mentions the user. */
    mentioned: v.optional(v.boolean()),
  }),
  /** A group the user is in was created, joined, renamed, or its members changed. */
  v.object({ type: v.literal("group"), group: GroupSchema }),
  /** The user is no longer in this group: removed by an admin, left (in another tab), or it is gone. */
  v.object({ type: v.literal("group-removed"), conversationId: v.string(), reason: v.picklist(GROUP_REMOVAL_REASONS) }),
  /** A new connection, a request that arrived, or one that was accepted. */
  v.object({ type: v.literal("connection"), connection: ConnectionSchema }),
  /** How many requests wait for the user's answer. */
  v.object({ type: v.literal("requests"), pending: v.pipe(v.number(), v.integer(), v.minValue(0)) }),
  v.object({
    type: v.literal("connection-removed"),
    userId: v.string(),
    conversationId: v.string(),
    /** Absent from older servers; read as "removed". */
    reason: v.optional(v.picklist(CONNECTION_REMOVAL_REASONS)),
  }),
  v.object({ type: v.literal("account-ended"), reason: v.picklist(ACCOUNT_END_REASONS) }),
  v.object({ type: v.literal("error"), code: v.picklist(FRAME_ERROR_CODES), message: v.string() }),
]);
export type HubMessage = v.InferOutput<typeof HubMessageSchema>;

/** Why a frame could not be parsed; sent back as an error frame with this code. */
export type ParseErrorCode = Extract<
  FrameErrorCode,
  "frame_too_large" | "invalid_json" | "unknown_type" | "invalid_frame"
>;

/** A refusal of a client's frame carries `id` when the frame held a valid message id: it names the message refused. */
export type Parsed<T> = { ok: true; value: T } | { ok: false; code: ParseErrorCode; message: string; id?: string };

/**
 * The frame types a client may send, read off the schema so the list is stated once; on first use,
 * so that a bundle which never parses a client's frame (the web app) leaves ClientMessageSchema out.
 */
let knownClientTypes: ReadonlySet<string> | undefined;

/** Parses a frame from a client. Never throws. */
export function parseClientMessage(raw: string | ArrayBuffer): Parsed<ClientMessage> {
  const bytes = typeof raw === "string" ? utf8Length(raw) : raw.byteLength;
  if (bytes > WIRE_LIMITS.maxFrameBytes) {
    return { ok: false, code: "frame_too_large", message: `frames are limited to ${WIRE_LIMITS.maxFrameBytes} bytes` };
  }
  const text = typeof raw === "string" ? raw : new TextDecoder().decode(raw);
  const json = parseJson(text);
  if (!json.ok) return json;
  const type = (json.value as { type?: unknown } | null)?.type;
  knownClientTypes ??= new Set(ClientMessageSchema.options.map((option) => option.entries.type.literal));
  const id = messageIdIn(json.value);
  if (typeof type !== "string" || !knownClientTypes.has(type)) {
    const message = `unknown frame type: ${String(type).slice(0, 40)}`;
    return { ok: false, code: "unknown_type", message, ...(id ? { id } : {}) };
  }
  const parsed = fromSchema(ClientMessageSchema, json.value);
  return parsed.ok || !id ? parsed : { ...parsed, id };
}

/** The frame's `id` when it is a valid message id, so that a refusal can name the message; else undefined. */
function messageIdIn(value: unknown): string | undefined {
  const id = (value as { id?: unknown } | null)?.id;
  return typeof id === "string" && v.safeParse(ClientMessageId, id).success ? id : undefined;
}

/** Parses a frame from a conversation room. Never throws. */
export function parseServerMessage(raw: string): Parsed<ServerMessage> {
  const json = parseJson(raw);
  return json.ok ? fromSchema(ServerMessageSchema, json.value) : json;
}

/** Parses a frame from the user hub. Never throws. */
export function parseHubMessage(raw: string): Parsed<HubMessage> {
  const json = parseJson(raw);
  return json.ok ? fromSchema(HubMessageSchema, json.value) : json;
}

function parseJson(text: string): Parsed<unknown> {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false, code: "invalid_json", message: "frames must be JSON" };
  }
}

function fromSchema<S extends v.GenericSchema>(schema: S, value: unknown): Parsed<v.InferOutput<S>> {
  const result = v.safeParse(schema, value);
  if (result.success) return { ok: true, value: result.output };
  const issue = result.issues[0];
  const path = issue.path?.map((item) => String(item.key)).join(".");
  return { ok: false, code: "invalid_frame", message: path ? `${path}: ${issue.message}` : issue.message };
}

function utf8Length(text: string): number {
  // Cheap bound first: UTF-8 takes at most 3 bytes per UTF-16 unit.
  if (text.length * 3 <= WIRE_LIMITS.maxFrameBytes) return text.length;
  return new TextEncoder().encode(text).byteLength;
}

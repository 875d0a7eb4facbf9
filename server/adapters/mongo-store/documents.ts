import type { Collection, Db } from "mongodb";
import { GROUP_LIMITS } from "../../../protocol/api";
import { byJoined } from "../../group-rules";
import type { GroupMemberRecord, GroupRecord } from "../../ports/store";

export interface UserDoc {
  _id: string;
  username: string;
  /** The lower-cased username: unique, so names are unique whatever their case (no collation). */
  usernameKey: string;
  passwordHash: string;
  createdAt: number;
  expiresAt: number;
  trigrams: string[];
}

export interface ConnectionDoc {
  /** `low:high`, the sorted pair: one document per pair. */
  _id: string;
  userLow: string;
  userHigh: string;
  conversationId: string;
  createdAt: number;
  /** Absent on connections made before requests existed: those were mutual. */
  status?: "pending" | "accepted";
  requestedBy?: string;
}

export interface ConversationDoc {
  _id: string;
  members: string[];
  createdAt: number;
  /** Set when the connection behind it was removed: nobody may open it, and the purge still finds it. */
  closed: boolean;
  /** While the conversation is a request: who asked. */
  pendingFrom?: string | null;
  /** A group conversation; `members` then lists the roster's ids, for the index. */
  kind?: "group";
  name?: string;
  createdBy?: string;
  version?: number;
  roster?: GroupMemberRecord[];
}

export type GroupDoc = Required<Omit<ConversationDoc, "pendingFrom">>;

export interface BlockDoc {
  /** `blocker:blocked`. */
  _id: string;
  blocker: string;
  blocked: string;
  createdAt: number;
}

export interface InviteDoc {
  /** The SHA-256 of the token: the token itself is never stored. */
  _id: string;
  inviterId: string;
  expiresAt: number;
}

export interface MessageDoc {
  /** `conversationId:seq`: ids of two conversations never collide, and a rewrite is a duplicate. */
  _id: string;
  conversationId: string;
  seq: number;
  clientId: string;
  senderId: string;
  body: string;
  sentAt: number;
  /** Deleted for everyone: the body is empty. */
  deleted?: true;
  /** A reply: its original, as ArchivedMessage["replyTo"]. */
  replyTo?: { seq: number; senderId: string; excerpt: string; deleted?: true };
  editedAt?: number;
  /** Absent rather than empty. */
  reactions?: { emoji: string; userIds: string[] }[];
}

/** The collections the areas share. Indexes come from migrations/. */
export interface Collections {
  users: Collection<UserDoc>;
  connections: Collection<ConnectionDoc>;
  conversations: Collection<ConversationDoc>;
  messages: Collection<MessageDoc>;
  blocks: Collection<BlockDoc>;
  invites: Collection<InviteDoc>;
}

export function collectionsOf(db: Db): Collections {
  return {
    users: db.collection("users"),
    connections: db.collection("connections"),
    conversations: db.collection("conversations"),
    messages: db.collection("messages"),
    blocks: db.collection("blocks"),
    invites: db.collection("invites"),
  };
}

/** A group never matches a one-to-one query: `$ne` also matches the conversations without `kind`. */
export const ONE_TO_ONE = { kind: { $ne: "group" as const } };
export const GROUP = { kind: "group" as const };

export const pairId = (a: string, b: string) => [a, b].sort().join(":");
export const messageId = (conversationId: string, seq: number) => `${conversationId}:${seq}`;

export function isGroup(doc: ConversationDoc): doc is ConversationDoc & GroupDoc {
  return doc.kind === "group";
}

export function toGroup(doc: GroupDoc): GroupRecord {
  return {
    id: doc._id,
    name: doc.name,
    createdBy: doc.createdBy,
    createdAt: doc.createdAt,
    members: [...doc.roster].sort(byJoined).slice(0, GROUP_LIMITS.membersMax),
    version: doc.version,
  };
}

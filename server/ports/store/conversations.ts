import type { UserRef } from "./accounts";
import type { Result } from "./result";

/** A conversation opened by one of its members: who is in it, with names, in one answer. */
export interface OpenedConversation {
  id: string;
  /** A list, never a pair: a group has up to GROUP_LIMITS.membersMax. */
  members: UserRef[];
  createdAt: number;
  /** While it is a request not yet accepted: who asked. Null once accepted (and always for a group). */
  pendingFrom: string | null;
  /** Present for a group conversation: its name and who may manage it. */
  group?: { name: string; admins: string[] };
}

/** One message as the archive keeps it; `(conversationId, seq)` identifies it. */
export interface ArchivedMessage {
  conversationId: string;
  seq: number;
  /** The client's message id, kept for idempotency beside the seq. */
  id: string;
  senderId: string;
  body: string;
  sentAt: number;
  /** Deleted for everyone: the body is empty, and writing it empties a copy archived before. */
  deleted?: true;
  /** A reply: the original's seq and sender, and its excerpt as it read when this copy was written. */
  replyTo?: { seq: number; senderId: string; excerpt: string; deleted?: true };
  /** Edited by its sender: when, last. */
  editedAt?: number;
  /** Reactions when this copy was written: each emoji with who reacted, first reacted first. */
  reactions?: { emoji: string; userIds: string[] }[];
}

/** At most this many messages per archive write or history page. */
export const ARCHIVE_BATCH_MAX = 500;

/** Conversations: who may open one, and the archive of its messages behind the room's own log. */
export interface ConversationStore {
  /**
   * The conversation with its members' names, for one of its members, in one call:
   * `not_found` when there is no such conversation, `forbidden` when the user is not a member
   * or the conversation was closed (its connection removed).
   */
  openConversation(
    userId: string,
    conversationId: string,
  ): Promise<Result<OpenedConversation, "not_found" | "forbidden">>;

  /**
   * Writes messages to the archive; `inserted` counts those it did not hold. Idempotent: a message
   * already archived is left as it is, unless the one written is `deleted`: that one replaces it.
   */
  archiveMessages(batch: ArchivedMessage[]): Promise<Result<{ inserted: number }>>;
  /**
   * Writes the current version of messages that changed after they may have been archived (an
   * edit, a deletion, reactions, a reply whose original changed): each replaces the archived copy
   * of its (conversationId, seq) whole (a field it lacks is removed), or is inserted when there is
   * none; of two copies of one message in a batch, the later wins. Safe to repeat. At most
   * ARCHIVE_BATCH_MAX per call, the first of the batch: `revised` counts the copies written
   * (replaced or inserted), so a caller that sent more knows where the rest begin.
   */
  reviseArchivedMessages(batch: ArchivedMessage[]): Promise<Result<{ revised: number }>>;
  /** Archived messages with seq below `beforeSeq`, oldest first: the newest `limit` of them. */
  messagesBefore(conversationId: string, beforeSeq: number, limit: number): Promise<Result<ArchivedMessage[]>>;
  /** Removes a conversation's archived messages. Safe to repeat. */
  deleteConversationMessages(conversationId: string): Promise<Result<null>>;
}

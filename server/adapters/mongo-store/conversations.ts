import { MongoBulkWriteError } from "mongodb";
import { openedGroup } from "../../group-rules";
import {
  ARCHIVE_BATCH_MAX,
  type ArchivedMessage,
  CONVERSATIONS_MAX,
  type ConversationStore,
  type OpenedConversation,
  type Result,
} from "../../ports/store";
import { type Collections, isGroup, type MessageDoc, messageId, toGroup } from "./documents";
import { DUPLICATE_KEY, guard, ok } from "./guard";
import { usernames } from "./lookups";
import { deleteMessagesOf } from "./removals";

/** Opening a conversation, and its archive of messages. */
export class MongoConversations implements ConversationStore {
  constructor(private readonly collections: Collections) {}

  openConversation(
    userId: string,
    conversationId: string,
  ): Promise<Result<OpenedConversation, "not_found" | "forbidden">> {
    return guard(async () => {
      const conversation = await this.collections.conversations.findOne({ _id: conversationId });
      if (!conversation) return { ok: false, reason: "not_found" } as const;
      if (isGroup(conversation)) {
        if (!conversation.members.includes(userId)) return { ok: false, reason: "forbidden" } as const;
        return ok(openedGroup(toGroup(conversation)));
      }
      if (conversation.closed || !conversation.members.includes(userId))
        return { ok: false, reason: "forbidden" } as const;
      const memberIds = [...conversation.members].sort().slice(0, CONVERSATIONS_MAX);
      const names = await usernames(this.collections, memberIds);
      return ok({
        id: conversationId,
        members: memberIds.map((id) => ({ id, username: names.get(id) ?? "" })),
        createdAt: conversation.createdAt,
        pendingFrom: conversation.pendingFrom ?? null,
      });
    });
  }

  archiveMessages(batch: ArchivedMessage[]): Promise<Result<{ inserted: number }>> {
    return guard(async () => {
      const docs = batch.slice(0, ARCHIVE_BATCH_MAX).map(toDoc);
      const deleted = docs.filter((doc) => doc.deleted);
      const live = docs.filter((doc) => !doc.deleted);
      const { messages } = this.collections;
      return ok({
        inserted: (await replaceWhole(messages, deleted)).upsertedCount + (await insertArchived(messages, live)),
      });
    });
  }

  reviseArchivedMessages(batch: ArchivedMessage[]): Promise<Result<{ revised: number }>> {
    return guard(async () => {
      const written = await replaceWhole(this.collections.messages, batch.slice(0, ARCHIVE_BATCH_MAX).map(toDoc));
      return ok({ revised: written.matchedCount + written.upsertedCount });
    });
  }

  messagesBefore(conversationId: string, beforeSeq: number, limit: number): Promise<Result<ArchivedMessage[]>> {
    return guard(async () => {
      const docs = await this.collections.messages
        .find({ conversationId, seq: { $lt: beforeSeq } })
        .sort({ seq: -1 })
        .limit(Math.min(limit, ARCHIVE_BATCH_MAX))
        .toArray();
      return ok(docs.reverse().map(toArchived));
    });
  }

  deleteConversationMessages(conversationId: string): Promise<Result<null>> {
    return guard(async () => {
      await deleteMessagesOf(this.collections, conversationId);
      return ok(null);
    });
  }
}

type Messages = Collections["messages"];

/** Writes messages not archived yet; one already there is left as it is. Answers how many were new. */
async function insertArchived(messages: Messages, docs: MessageDoc[]): Promise<number> {
  if (docs.length === 0) return 0;
  try {
    return (await messages.insertMany(docs, { ordered: false })).insertedCount;
  } catch (error) {
    // Unordered: duplicates (already archived by an earlier, unacknowledged try) are refused, the rest land.
    if (error instanceof MongoBulkWriteError && onlyDuplicates(error)) return error.result.insertedCount;
    throw error;
  }
}

/**
 * Each doc replaces what the archive holds under its id, whole (a field it lacks is removed), or is
 * written new: one round trip. Ordered, so of two copies of one message in a batch the later wins.
 */
async function replaceWhole(
  messages: Messages,
  docs: MessageDoc[],
): Promise<{ matchedCount: number; upsertedCount: number }> {
  if (docs.length === 0) return { matchedCount: 0, upsertedCount: 0 };
  return messages.bulkWrite(
    docs.map(({ _id, ...replacement }) => ({ replaceOne: { filter: { _id }, replacement, upsert: true } })),
    { ordered: true },
  );
}

function onlyDuplicates(error: MongoBulkWriteError): boolean {
  const errors = Array.isArray(error.writeErrors) ? error.writeErrors : [error.writeErrors];
  return errors.length > 0 && errors.every((writeError) => writeError.code === DUPLICATE_KEY);
}

/** A deleted message keeps no body; no reactions are written as none, not as an empty list. */
function toDoc(message: ArchivedMessage): MessageDoc {
  return {
    _id: messageId(message.conversationId, message.seq),
    conversationId: message.conversationId,
    seq: message.seq,
    clientId: message.id,
    senderId: message.senderId,
    body: message.deleted ? "" : message.body,
    sentAt: message.sentAt,
    ...(message.deleted ? { deleted: true as const } : {}),
    ...(message.replyTo ? { replyTo: message.replyTo } : {}),
    ...(message.editedAt !== undefined ? { editedAt: message.editedAt } : {}),
    ...(message.reactions?.length ? { reactions: message.reactions } : {}),
  };
}

function toArchived(doc: MessageDoc): ArchivedMessage {
  return {
    conversationId: doc.conversationId,
    seq: doc.seq,
    id: doc.clientId,
    senderId: doc.senderId,
    body: doc.body,
    sentAt: doc.sentAt,
    ...(doc.deleted ? { deleted: true as const } : {}),
    ...(doc.replyTo ? { replyTo: doc.replyTo } : {}),
    ...(doc.editedAt !== undefined ? { editedAt: doc.editedAt } : {}),
    ...(doc.reactions ? { reactions: doc.reactions } : {}),
  };
}

// Deletions that more than one area makes.
import type { Filter } from "mongodb";
import { type Collections, GROUP, type MessageDoc } from "./documents";

/** Messages removed per round trip when a conversation is deleted. */
const DELETE_BATCH = 1_000;

export function deleteMessagesOf(collections: Collections, conversationId: string): Promise<void> {
  return deleteMessagesWhere(collections, { conversationId });
}

/** In batches, so a large archive is never one unbounded request. */
export async function deleteMessagesWhere({ messages }: Collections, filter: Filter<MessageDoc>): Promise<void> {
  for (;;) {
    const ids = await messages
      .find(filter, { projection: { _id: 1 } })
      .limit(DELETE_BATCH)
      .toArray();
    if (ids.length === 0) return;
    await messages.deleteMany({ _id: { $in: ids.map((doc) => doc._id) } });
    if (ids.length < DELETE_BATCH) return;
  }
}

/** The record and its archive, the archive first; only a group's (a one-to-one conversation is left alone). */
export async function removeGroup(collections: Collections, groupId: string): Promise<void> {
  const doc = await collections.conversations.findOne({ _id: groupId }, { projection: { kind: 1 } });
  if (doc && doc.kind !== "group") return;
  await deleteMessagesOf(collections, groupId);
  await collections.conversations.deleteOne({ _id: groupId, ...GROUP });
}

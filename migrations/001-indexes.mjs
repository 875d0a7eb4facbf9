// The collections' indexes. Only what both FerretDB 1.24 and Atlas support: no collation, TTL,
// partial or text indexes (docs/operations.md, "MongoDB"), so names are unique by a lower-cased copy.
export const name = "001-indexes";

/** @param {import("mongodb").Db} db */
export async function up(db) {
  await db.collection("users").createIndexes([
    // Case-insensitive uniqueness and prefix search: `usernameKey` is the lower-cased username.
    { key: { usernameKey: 1 }, name: "usernameKey_unique", unique: true },
    // The purge finds expired accounts oldest first, in batches.
    { key: { expiresAt: 1 }, name: "expiresAt" },
    // Typo-tolerant search: each user lists the trigrams of their name (multikey).
    { key: { trigrams: 1 }, name: "trigrams" },
  ]);
  // One document per pair, `_id` "low:high"; each side is found by its own index.
  await db.collection("connections").createIndexes([
    { key: { userLow: 1 }, name: "userLow" },
    { key: { userHigh: 1 }, name: "userHigh" },
  ]);
  // Membership is a list on the conversation (multikey): a member's conversations by index.
  await db.collection("conversations").createIndexes([{ key: { members: 1 }, name: "members" }]);
  // History pages and the archive: `_id` is derived from both, and this keeps one seq per conversation.
  await db
    .collection("messages")
    .createIndexes([{ key: { conversationId: 1, seq: 1 }, name: "conversationId_seq_unique", unique: true }]);
}

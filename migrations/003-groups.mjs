// Groups live in `conversations` (`kind: "group"`, `members` the roster's ids). A member's groups,
// newest first, by one index: equality on `members` (multikey) and `kind`, then the sort.
export const name = "003-groups";

/** @param {import("mongodb").Db} db */
export async function up(db) {
  await db
    .collection("conversations")
    .createIndexes([{ key: { members: 1, kind: 1, createdAt: -1 }, name: "members_kind_createdAt" }]);
}

// Consent: blocks and invites. Plain indexes only (no TTL: the purge removes what expires).
export const name = "002-consent";

/** @param {import("mongodb").Db} db */
export async function up(db) {
  // `_id` is "blocker:blocked"; each side's blocks are found by its own index.
  await db.collection("blocks").createIndexes([
    { key: { blocker: 1 }, name: "blocker" },
    { key: { blocked: 1 }, name: "blocked" },
  ]);
  // `_id` is the hash of the token; an account's invites go with it.
  await db.collection("invites").createIndexes([{ key: { inviterId: 1 }, name: "inviterId" }]);
}

import { toHex } from "./hex";

/**
 * The id of the one-to-one conversation between two users: derived from the sorted pair,
 * so both sides find the same conversation without a lookup.
 */
export async function directConversationId(userA: string, userB: string): Promise<string> {
  const pair = [userA, userB].sort().join("\n");
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(`direct\n${pair}`));
  return `dm_${toHex(digest).slice(0, 32)}`;
}

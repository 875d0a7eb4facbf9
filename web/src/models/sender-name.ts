import type { Group } from "../../../protocol/api";
import { SYSTEM_SENDER_ID } from "../../../protocol/wire";

/**
 * The sender of a message as the group knows them; system lines have none. Its own module: the
 * list and the open chat both ask, and neither should load the other's code for it.
 */
export function senderName(group: Pick<Group, "members"> | null | undefined, senderId: string): string | null {
  if (senderId === SYSTEM_SENDER_ID) return null;
  return group?.members.find((member) => member.id === senderId)?.username ?? null;
}

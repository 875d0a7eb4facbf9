import { GROUP_LIMITS } from "../protocol/api";
import type { GroupMemberRecord, GroupRecord, OpenedConversation } from "./ports/store";

/** Members in the order they joined (the longest-standing first), then by id. */
export function byJoined(a: GroupMemberRecord, b: GroupMemberRecord): number {
  return a.joinedAt - b.joinedAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/**
 * A group is never without an admin: when none is left, the longest-standing member (`byJoined`)
 * becomes one. The Store keeps it so, and the lists show it so.
 */
export function withAnAdmin(members: GroupMemberRecord[]): GroupMemberRecord[] {
  if (members.length === 0 || members.some((member) => member.admin)) return members;
  const heir = [...members].sort(byJoined)[0];
  return members.map((member) => (member === heir ? { ...member, admin: true } : member));
}

/** A group as its members open it: everyone by id with their names, and who may manage it. */
export function openedGroup(group: GroupRecord): OpenedConversation {
  const members = [...group.members].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return {
    id: group.id,
    members: members.slice(0, GROUP_LIMITS.membersMax).map((member) => ({ id: member.id, username: member.username })),
    createdAt: group.createdAt,
    pendingFrom: null,
    group: { name: group.name, admins: group.members.filter((member) => member.admin).map((member) => member.id) },
  };
}

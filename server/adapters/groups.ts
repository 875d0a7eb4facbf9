import { GROUP_LIMITS } from "../../protocol/api";
import type { GroupRecord, OpenedConversation } from "../ports/store";

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

import type { Group } from "../../../protocol/api";
import { request } from "./api";

// Changes to groups, apart from api.ts: only the group screens (their own chunks) need them.
const group = (groupId: string) => `/api/groups/${encodeURIComponent(groupId)}`;
type GroupAnswer = Promise<{ group: Group }>;

export const groupApi = {
  create: (name: string, memberIds: string[]): GroupAnswer => request("POST", "/api/groups", { name, memberIds }),
  rename: (groupId: string, name: string): GroupAnswer => request("PATCH", group(groupId), { name }),
  addMembers: (groupId: string, userIds: string[]): GroupAnswer =>
    request("POST", `${group(groupId)}/members`, { userIds }),
  /** An admin removes someone; with the person's own id, they leave (204). */
  removeMember: (groupId: string, userId: string) =>
    request<{ group: Group } | undefined>("DELETE", `${group(groupId)}/members/${encodeURIComponent(userId)}`),
  makeAdmin: (groupId: string, userId: string): GroupAnswer => request("POST", `${group(groupId)}/admins`, { userId }),
  mute: (groupId: string, muted: boolean): GroupAnswer => request("PUT", `${group(groupId)}/mute`, { muted }),
};

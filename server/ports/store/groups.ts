import type { Result } from "./result";

/** One member of a group, as the group's record keeps them. */
export interface GroupMemberRecord {
  id: string;
  username: string;
  admin: boolean;
  /** Muted by this member: no notifications but mentions. */
  muted: boolean;
  joinedAt: number;
}

/**
 * A group conversation: its id is also its room's and its archive's conversation id. `version`
 * goes up by one with every saved change, so that two admins changing it at once do not undo
 * each other (`saveGroup` answers `conflict` and the caller reads it again).
 */
export interface GroupRecord {
  id: string;
  name: string;
  createdBy: string;
  createdAt: number;
  members: GroupMemberRecord[];
  version: number;
}

/** At most this many groups per user are listed (and returned by a detach). */
export const GROUPS_MAX = 200;

/**
 * Group conversations. A group is a conversation (`openConversation` answers it, with `group`),
 * never a connection: connections, blocks and requests leave groups alone.
 */
export interface GroupStore {
  /** A new group with its members (the creator an admin). Its id is new: no conflict is possible. */
  createGroup(group: Omit<GroupRecord, "version">): Promise<Result<GroupRecord>>;
  /** The group by id, whoever asks (the route checks membership), or null. */
  getGroup(groupId: string): Promise<Result<GroupRecord | null>>;
  /** The groups `userId` is a member of, newest first, at most GROUPS_MAX. */
  listGroups(userId: string): Promise<Result<GroupRecord[]>>;
  /**
   * Writes the group's name and members when the stored version is still `group.version`, and
   * answers it with the version one higher. `conflict` when someone saved it in between (read it
   * again and redo the change); `not_found` when it is gone.
   */
  saveGroup(group: GroupRecord): Promise<Result<GroupRecord, "conflict" | "not_found">>;
  /** Removes the group record and its archived messages. Safe to repeat. */
  deleteGroup(groupId: string): Promise<Result<null>>;
}

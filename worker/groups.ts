import { hubFor, roomFor } from "../durable-objects/addresses";
import type { KnownConversation } from "../durable-objects/conversation-room";
import { tellGroupHubs, toGroupView } from "../durable-objects/group-hubs";
import { GROUP_LIMITS, type Group, type Message } from "../protocol/api";
import type { SystemEvent } from "../protocol/wire";
import { withAnAdmin } from "../server/group-rules";
import { toHex } from "../server/hex";
import type { ConversationActivity } from "../server/hub-views";
import { log } from "../server/log";
import { answered, type GroupMemberRecord, type GroupRecord, type Store, type UserRef } from "../server/ports/store";
import { conflict, forbidden, notFound, storeUnavailable } from "./lib/errors";

/** A conversation's activity as the viewer's hub keeps it. */
export type GroupActivity = Omit<ConversationActivity, "conversationId">;

/** A change an actor asks for; leaving is removing oneself. */
export type GroupChange =
  | { kind: "rename"; name: string }
  | { kind: "add"; userIds: string[]; contacts: ReadonlyMap<string, string> }
  | { kind: "remove"; userId: string }
  | { kind: "admin"; userId: string }
  | { kind: "mute"; muted: boolean };

type RemovalReason = "removed" | "left";

/** What a change does to a group: the record to save, its system line, who leaves, who is told. */
interface Plan {
  next: GroupRecord;
  event: SystemEvent | null;
  removed: { userId: string; reason: RemovalReason } | null;
  /** A change only its actor sees (mute): only their hub hears of it. */
  onlyFor?: string;
}

/** Saving races with another admin's change at most this many times before the caller is asked to retry. */
const SAVE_TRIES = 4;

/**
 * A new group id: random, and `grp_` where one-to-one conversations are `dm_` (server/conversation-id.ts),
 * so the two can never collide.
 */
export function newGroupId(): string {
  return `grp_${toHex(crypto.getRandomValues(new Uint8Array(16)).buffer)}`;
}

/** A group as `viewerId` sees it: their own mute, their hub's activity. */
export function toGroup(viewerId: string, record: GroupRecord, activity?: GroupActivity): Group {
  return {
    ...toGroupView(viewerId, record),
    lastMessage: activity?.lastMessage ?? null,
    unread: activity?.unread ?? 0,
    mentioned: activity?.mentioned ?? false,
  };
}

/** The group in `viewerId`'s view, with their hub's activity; a line just written is the newest. */
export async function viewGroupAs(
  env: Env,
  viewerId: string,
  record: GroupRecord,
  newest: GroupActivity["lastMessage"],
): Promise<Group> {
  const activity = (await hubFor(env, viewerId).summaries()).find((entry) => entry.conversationId === record.id);
  const lastMessage = newest ?? activity?.lastMessage ?? null;
  return toGroup(viewerId, record, { unread: 0, ...activity, lastMessage });
}

/** The group as a member may read it; anyone else learns nothing, not even that it exists. */
export async function readGroupAs(store: Store, groupId: string, userId: string): Promise<GroupRecord> {
  const found = answered(await store.getGroup(groupId));
  if (!found.value?.members.some((member) => member.id === userId)) throw notInGroup();
  return found.value;
}

/**
 * The accepted contacts of `userId` by id, with their names: only they may be put in a group by
 * them. A blocked person is never among them (a block removes the connection).
 */
export async function contactsOf(store: Store, userId: string): Promise<Map<string, string>> {
  const listed = answered(await store.listConnections(userId));
  return new Map(
    listed.value.filter((record) => record.status === "accepted").map((record) => [record.userId, record.username]),
  );
}

/**
 * Creates a group of `creator` (its first admin) and `others`, writes its first system line and
 * shows it in every member's list. When the room cannot be reached the group is removed again,
 * so a retry does not leave a group behind that nobody was told of.
 */
export async function createGroup(
  env: Env,
  store: Store,
  creator: UserRef,
  name: string,
  others: UserRef[],
): Promise<{ record: GroupRecord; message: Message }> {
  const now = Date.now();
  const created = answered(
    await store.createGroup({
      id: newGroupId(),
      name,
      createdBy: creator.id,
      createdAt: now,
      members: [newMember(creator, true, now), ...others.map((other) => newMember(other, false, now))],
    }),
  );
  const record = created.value;
  // Names only: the signed-in user is a whole account record, which must never reach a line.
  const event: SystemEvent = { event: "created", actor: ref(creator), targets: others.map(ref), name };
  try {
    const message = await tellRoom(env, record, event);
    await tellGroupHubs(env, record, null);
    return { record, message };
  } catch (error) {
    await roomFor(env, record.id)
      .destroy()
      .catch(() => undefined);
    await store.deleteGroup(record.id);
    throw error;
  }
}

/**
 * Applies one change by `actor`: the Store first (read, change, save; read again and redo when
 * another admin saved in between), then the room (its system lines; a removed member's sockets
 * close), then the hubs. Answers the saved group and its newest system line, or null when the
 * last member left and the group is gone.
 */
export async function changeGroup(
  env: Env,
  store: Store,
  groupId: string,
  actor: UserRef,
  change: GroupChange,
): Promise<{ record: GroupRecord; message: Message | null } | null> {
  for (let attempt = 0; attempt < SAVE_TRIES; attempt++) {
    const record = await readGroupAs(store, groupId, actor.id);
    const plan = planChange(record, actor.id, change, Date.now());
    if (!plan) return { record, message: null };
    if (plan.next.members.length === 0) {
      await deleteGroup(env, store, record, actor.id);
      return null;
    }
    const saved = answered(await store.saveGroup(plan.next));
    if (!saved.ok && saved.reason === "conflict") continue;
    if (!saved.ok) throw notInGroup();
    const message = plan.event ? await tellRoom(env, saved.value, plan.event, plan.removed?.reason) : null;
    await tellGroupHubs(env, saved.value, plan.removed, plan.onlyFor);
    return { record: saved.value, message };
  }
  log("warn", "group_save_contended", { groupId, tries: SAVE_TRIES });
  throw storeUnavailable();
}

/** What `change` makes of `record` when `actorId` asks; null when it changes nothing. Throws a refusal. */
function planChange(record: GroupRecord, actorId: string, change: GroupChange, now: number): Plan | null {
  const me = record.members.find((member) => member.id === actorId);
  if (!me) throw notInGroup();
  if (change.kind === "mute") {
    if (me.muted === change.muted) return null;
    return { next: update(record, me.id, { muted: change.muted }), event: null, removed: null, onlyFor: me.id };
  }
  if (change.kind === "remove" && change.userId === me.id) return planLeave(record, me);
  if (!me.admin) throw forbidden("Only the group's admins may do that.", "not_admin");
  switch (change.kind) {
    case "rename":
      if (record.name === change.name) return null;
      return {
        next: { ...record, name: change.name },
        event: { event: "renamed", actor: ref(me), targets: [], name: change.name },
        removed: null,
      };
    case "admin": {
      const target = record.members.find((member) => member.id === change.userId);
      if (!target) throw notFound("They are not in this group.", "user_not_found");
      if (target.admin) return null;
      return {
        next: update(record, target.id, { admin: true }),
        event: { event: "admin", actor: ref(me), targets: [ref(target)] },
        removed: null,
      };
    }
    case "add":
      return planAdd(record, me, change, now);
    case "remove": {
      const target = record.members.find((member) => member.id === change.userId);
      if (!target) return null;
      if (target.id === record.createdBy) throw forbidden("The group's creator cannot be removed.", "not_admin");
      return {
        next: { ...record, members: record.members.filter((member) => member.id !== target.id) },
        event: { event: "removed", actor: ref(me), targets: [ref(target)] },
        removed: { userId: target.id, reason: "removed" },
      };
    }
  }
}

/** Members already in stay as they are; each new one must be the actor's accepted contact. */
function planAdd(
  record: GroupRecord,
  me: GroupMemberRecord,
  change: Extract<GroupChange, { kind: "add" }>,
  now: number,
): Plan | null {
  const present = new Set(record.members.map((member) => member.id));
  const fresh = [...new Set(change.userIds)].filter((id) => !present.has(id));
  if (fresh.length === 0) return null;
  const added = fresh.map((id) => {
    const username = change.contacts.get(id);
    if (username === undefined) throw notAContact();
    return { id, username };
  });
  if (record.members.length + added.length > GROUP_LIMITS.membersMax) {
    throw conflict(`A group holds at most ${GROUP_LIMITS.membersMax} members.`, "group_full");
  }
  return {
    next: { ...record, members: [...record.members, ...added.map((user) => newMember(user, false, now))] },
    event: { event: "added", actor: ref(me), targets: added },
    removed: null,
  };
}

/** Leaving: when the last admin leaves, the longest-standing member becomes one (the members frame shows it). */
function planLeave(record: GroupRecord, me: GroupMemberRecord): Plan {
  return {
    next: { ...record, members: withAnAdmin(record.members.filter((member) => member.id !== me.id)) },
    event: { event: "left", actor: ref(me), targets: [] },
    removed: { userId: me.id, reason: "left" },
  };
}

/** The last member left: the room goes first, so that a failure leaves the record to try again with. */
async function deleteGroup(env: Env, store: Store, record: GroupRecord, leaverId: string): Promise<void> {
  await roomFor(env, record.id).destroy();
  answered(await store.deleteGroup(record.id));
  await hubFor(env, leaverId)
    .groupRemoved(record.id, "left")
    .catch((error: unknown) => log("warn", "group_notice_failed", { groupId: record.id }, error));
}

/**
 * Writes a change's system line in the room with the group as saved; a member no longer listed
 * loses their sockets (4003 with `closeReason`). The version lets the room drop a repeat, and an
 * older change that arrives after a newer one.
 */
async function tellRoom(
  env: Env,
  record: GroupRecord,
  event: SystemEvent,
  closeReason?: RemovalReason,
): Promise<Message> {
  const { message } = await roomFor(env, record.id).applyGroupChange({
    conversationId: record.id,
    ...roomState(record),
    event,
    version: record.version,
    ...(closeReason ? { closeReason } : {}),
  });
  return message;
}

/** What the room keeps of a group: its name, its admins, its members. */
function roomState(record: GroupRecord) {
  return {
    group: { name: record.name, admins: record.members.filter((member) => member.admin).map((member) => member.id) },
    members: record.members.map(({ id, username }) => ({ id, username })),
  };
}

/**
 * The record a group's room allows (`roomState` read back), for when the Store cannot be asked;
 * null for a one-to-one conversation. What only the Store keeps takes a default: no creator (""),
 * created at 0, nobody muted.
 */
export function groupFromRoom(groupId: string, { group, members }: KnownConversation): GroupRecord | null {
  if (!group) return null;
  const admins = new Set(group.admins);
  return {
    id: groupId,
    name: group.name,
    createdBy: "",
    createdAt: 0,
    members: members.map((member) => ({ ...ref(member), admin: admins.has(member.id), muted: false, joinedAt: 0 })),
    version: -1,
  };
}

function update(record: GroupRecord, memberId: string, fields: Partial<GroupMemberRecord>): GroupRecord {
  return {
    ...record,
    members: record.members.map((member) => (member.id === memberId ? { ...member, ...fields } : member)),
  };
}

function newMember(user: UserRef, admin: boolean, joinedAt: number): GroupMemberRecord {
  return { id: user.id, username: user.username, admin, muted: false, joinedAt };
}

function ref(member: UserRef): UserRef {
  return { id: member.id, username: member.username };
}

export const notInGroup = () => notFound("No such conversation.", "conversation_not_found");
export const notAContact = () => forbidden("Only your accepted contacts can be put in a group.", "not_a_contact");

import { PROTOCOL_VERSION, type ServerMessage, WIRE_LIMITS } from "../protocol/wire";
import type { ConversationLog } from "./room-log";
import type { Member } from "./room-members";
import type { RoomGroup } from "./room-meta";

/** What the room knows of its conversation, told to a member: the hello frame's facts, without a socket. */
export interface KnownConversation {
  members: Member[];
  /** While a request is pending: who asked; else null (always for a group). */
  pendingFrom: string | null;
  /** A group's name and admins; null for a one-to-one conversation. */
  group: RoomGroup | null;
}

/**
 * The frame a socket gets on connecting: the members (those in `present` and the newcomer online,
 * unless the conversation is a request), cursors, last seq and, in a group, where this member's
 * history starts.
 */
export function helloFrame(conversation: ConversationLog, present: Set<string>, userId: string): ServerMessage {
  const { meta, messages, members } = conversation;
  const online = new Set(present).add(userId);
  const pending = meta.pendingFrom() !== null;
  const group = meta.group();
  return {
    type: "hello",
    protocol: PROTOCOL_VERSION,
    conversationId: meta.conversationId() ?? "",
    me: userId,
    // While a request is pending, nobody learns whether the other is here.
    members: members.all().map((member) => ({
      ...member,
      online: online.has(member.id) && (member.id === userId || !pending),
    })),
    lastSeq: messages.lastSeq(),
    readUpTo: pending ? ownCursor(members.readCursors(), userId) : members.readCursors(),
    ...(group ? { group, visibleFromSeq: members.visibleFrom(userId) ?? messages.lastSeq() + 1 } : {}),
  };
}

/**
 * The conversation as the room knows it, for `userId`; null when they are not a member it knows
 * (also in a room never opened, or destroyed). Lets the Worker answer while the Store is down.
 */
export function knownConversation(conversation: ConversationLog, userId: string): KnownConversation | null {
  const { meta, members } = conversation;
  if (!members.includes(userId)) return null;
  return { members: members.all(), pendingFrom: meta.pendingFrom(), group: meta.group() };
}

/**
 * One page of what a socket missed after `afterSeq`, from where the member may see, then a frame
 * saying where it stopped: the client asks for the next page, so one small frame never makes the
 * room send a whole history.
 */
export function replayFrames(conversation: ConversationLog, userId: string, afterSeq: number): ServerMessage[] {
  const floor = conversation.members.visibleFrom(userId) ?? Number.MAX_SAFE_INTEGER;
  const page = conversation.messages.after(afterSeq, WIRE_LIMITS.replayPage + 1, floor);
  const sent = page.slice(0, WIRE_LIMITS.replayPage);
  const throughSeq = sent.at(-1)?.seq ?? Math.max(afterSeq, 0);
  return [
    ...sent.map((message): ServerMessage => ({ type: "message", message })),
    { type: "replayed", throughSeq, more: page.length > sent.length },
  ];
}

function ownCursor(cursors: Record<string, number>, userId: string): Record<string, number> {
  const seq = cursors[userId];
  return seq === undefined ? {} : { [userId]: seq };
}

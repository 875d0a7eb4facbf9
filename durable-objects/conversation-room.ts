import { DurableObject } from "cloudflare:workers";
import type { Message } from "../protocol/api";
import type { FrameErrorCode } from "../protocol/errors";
import { describeSystemEvent, mentionedNames } from "../protocol/groups";
import {
  type AccountEndReason,
  CLOSE_ACCOUNT_ENDED,
  CLOSE_CONVERSATION_ENDED,
  CLOSE_POLICY_VIOLATION,
  CLOSE_REPLACED,
  CLOSE_SESSION_ENDED,
  type ClientMessage,
  PROTOCOL_VERSION,
  parseClientMessage,
  type ServerMessage,
  type SystemEvent,
  WIRE_LIMITS,
} from "../protocol/wire";
import { countedStorage } from "../server/counters";
import { log } from "../server/log";
import { storeFor } from "../server/ports";
import { RATE_RULES } from "../server/rate-limit";
import { hubFor } from "./addresses";
import { readIdentity } from "./identity";
import { ARCHIVE_DELAY_MS, RoomArchive } from "./room-archive";
import { ConversationLog, type Member, type RoomGroup } from "./room-log";
import { AlarmScheduler } from "./scheduler";
import { HibernatingSockets, type SocketAttachment, type SocketJob } from "./sockets";
import { holdsRows } from "./stored-rows";
import { TokenBuckets, WindowCounters } from "./token-buckets";

/** Members' hubs hear at most this often per conversation, the latest state only. */
const HUB_NOTICE_DELAY_MS = 250;
const HUB_RETRY_DELAY_MS = 5_000;
/** `deleted` frames sent at most when a member's account ends: their newest messages, those likely on screen. */
const WIPED_FRAMES_MAX = WIRE_LIMITS.replayPage;

type RoomJob = SocketJob | "notify-hubs" | "relay-reads" | "archive";
type Send = Extract<ClientMessage, { type: "send" }>;

/** Whose account ended, when a conversation is destroyed because of it. */
export interface EndedMember {
  userId: string;
  reason: AccountEndReason;
}

/** A change to a group, sent by the Worker once the Store saved it (`created` included). */
export interface GroupChangeInput {
  conversationId: string;
  group: RoomGroup;
  /** Everyone in the group after the change. */
  members: Member[];
  event: SystemEvent;
  /** Why members no longer listed lose the room (the close reason of their 4003); `removed` by default. */
  closeReason?: "removed" | "left";
  /**
   * The group's version after the change (`GroupRecord.version`), when known: a retried call then
   * adds no second line, and an older change arriving after a newer one leaves the members alone.
   */
  version?: number;
}

/**
 * One conversation: its members' sockets, presence in the room, typing, read cursors and the
 * message log. A message is committed in one synchronous SQLite transaction, then acknowledged
 * and broadcast; nothing on that path waits on another object or the network. The members'
 * hubs hear of it a little later, coalesced, through the alarm.
 */
export class ConversationRoom extends DurableObject<Env> {
  private readonly log: ConversationLog;
  private readonly sockets: HibernatingSockets;
  private readonly scheduler: AlarmScheduler<RoomJob>;
  private readonly archive: RoomArchive;
  private readonly buckets = new TokenBuckets(WIRE_LIMITS.sendBurst, WIRE_LIMITS.sendsPerSecond);
  private readonly resumes = new TokenBuckets(WIRE_LIMITS.resumeBurst, WIRE_LIMITS.resumesPerSecond);
  /** Until when a socket's sends are refused after a rate refusal; lost on hibernation, harmlessly. */
  private readonly sendPausedUntil = new WeakMap<WebSocket, number>();
  /** When each user's typing state was last relayed: at most one relay a second per user. */
  private readonly typingRelayedAt = new Map<string, number>();
  /** Read cursors moved since they were last broadcast; the alarm relays the latest, coalesced. */
  private readonly readsToRelay = new Set<string>();
  private readonly userSends = new WindowCounters(
    RATE_RULES.sendPerUser.limit,
    RATE_RULES.sendPerUser.windowSeconds * 1000,
  );
  /** Who is typing now; lost on hibernation, which only drops a transient indicator. */
  private readonly typing = new Set<string>();

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    const storage = countedStorage(ctx.storage, "room", env);
    this.log = new ConversationLog(storage);
    this.sockets = new HibernatingSockets(ctx);
    this.scheduler = new AlarmScheduler(storage);
    this.archive = new RoomArchive(this.log, () => storeFor(this.env, this.log.conversationId() ?? undefined));
  }

  override async fetch(request: Request): Promise<Response> {
    const refusal = HibernatingSockets.refuseNonUpgrade(request);
    if (refusal) return refusal;
    const identity = readIdentity(request);
    if (!identity?.conversationId) {
      return Response.json({ error: { code: "bad_request", message: "Missing identity." } }, { status: 400 });
    }
    const now = Date.now();
    if (identity.members) {
      this.log.remember(identity.conversationId, identity.members, identity.pendingFrom ?? null, identity.group);
    } else if (this.log.conversationId() !== identity.conversationId || !this.isMember(identity.userId)) {
      // The Worker could not ask the Store: only a member this room already knows comes in.
      const error = { code: "conversation_not_found", message: "No such conversation." };
      return Response.json({ error }, { status: 404 });
    }
    this.sockets.makeRoom(identity.userId, WIRE_LIMITS.socketsPerUser, CLOSE_REPLACED);
    const wasPresent = this.sockets.ofUser(identity.userId).length > 0;
    const { client, server } = this.sockets.accept(identity, now);
    this.sockets.send(server, this.hello(identity.userId));
    if (!wasPresent && !this.log.pendingFrom()) {
      this.broadcast({ type: "presence", userId: identity.userId, online: true }, server);
    }
    this.sockets.watch(this.scheduler, now);
    return new Response(null, { status: 101, webSocket: client });
  }

  override webSocketMessage(ws: WebSocket, raw: string | ArrayBuffer): void {
    try {
      this.handleFrame(ws, raw);
    } catch (error) {
      // The client keeps an unacknowledged message and sends it again: a resend is stored once.
      log("error", "room_frame_failed", {}, error);
      const frame = parseClientMessage(raw);
      const id = frame.ok && frame.value.type === "send" ? frame.value.id : undefined;
      this.sockets.send(ws, {
        type: "error",
        code: "internal_error",
        message: "That did not work. Please try again.",
        ...(id ? { id } : {}),
      } satisfies ServerMessage);
    }
  }

  override webSocketClose(ws: WebSocket, code: number): void {
    this.sockets.close(ws, code === 1005 ? 1000 : code, "closing");
    this.leave(ws);
  }

  override webSocketError(ws: WebSocket): void {
    this.leave(ws);
  }

  /** Every timed job: heartbeat sweep, account expiry, coalesced hub notices. Idempotent. */
  override async alarm(): Promise<void> {
    const now = Date.now();
    for (const job of this.scheduler.takeDue(now)) {
      if (job === "sweep") this.closeEach(this.sockets.stale(now), 1001, "heartbeat timeout");
      if (job === "expiry") this.closeEach(this.sockets.expired(now), CLOSE_ACCOUNT_ENDED, "expired");
      if (job === "relay-reads") this.relayReads();
      if (job === "notify-hubs") await this.notifyHubs();
      if (job === "archive") await this.flushArchive();
    }
    this.sockets.watch(this.scheduler, now);
  }

  /** A page of history, oldest first; empty once the conversation was destroyed. */
  async history(
    beforeSeq: number | undefined,
    limit: number,
    memberCheck?: string,
  ): Promise<{ messages: Message[]; hasMore: boolean } | null> {
    if (memberCheck === undefined) return this.log.page(beforeSeq, limit);
    // A group member sees history from the line that added them.
    const floor = this.log.visibleFrom(memberCheck);
    return floor === null ? null : this.log.page(beforeSeq, limit, floor);
  }

  /**
   * A group changed (the Store saved it): in one transaction the room takes the new name, admins
   * and members and writes the line that tells it; members no longer listed lose their sockets
   * and rows at once. Then every socket hears the line and the new member list.
   */
  async applyGroupChange(change: GroupChangeInput): Promise<{ message: Message }> {
    const now = Date.now();
    const changed = this.log.changeGroup(
      { ...change, body: describeSystemEvent(change.event) },
      change.conversationId,
      now,
    );
    if (changed.repeated) return { message: changed.message };
    const reason = change.closeReason ?? "removed";
    for (const userId of changed.removed) this.dropMember(userId, CLOSE_CONVERSATION_ENDED, reason);
    this.broadcast({ type: "message", message: changed.message });
    this.broadcast(this.membersFrame());
    this.noticeHubsSoon(now);
    return { message: changed.message };
  }

  /**
   * A member's account ended: their sockets close, their messages here are wiped for everyone,
   * a line says so; the room is destroyed once nobody is left. A repeat changes nothing.
   */
  async memberEnded(ended: EndedMember): Promise<{ remaining: string[] }> {
    const member = this.log.members().find((candidate) => candidate.id === ended.userId);
    if (!member) return { remaining: this.log.members().map((other) => other.id) };
    const now = Date.now();
    const event: SystemEvent = { event: "account-ended", actor: null, targets: [member] };
    const removed = this.log.endMember(member.id, event, describeSystemEvent(event), now, WIPED_FRAMES_MAX);
    this.dropMember(member.id, CLOSE_ACCOUNT_ENDED, ended.reason);
    const remaining = this.log.members().map((other) => other.id);
    if (remaining.length === 0) {
      await this.destroy();
      return { remaining };
    }
    if (!removed) return { remaining };
    for (const seq of removed.wipedSeqs) this.broadcast({ type: "deleted", seq });
    this.broadcast({ type: "message", message: removed.message });
    this.broadcast(this.membersFrame());
    this.noticeHubsSoon(now);
    return { remaining };
  }

  private someMemberAbsent(): boolean {
    return this.log.members().some((member) => this.sockets.ofUser(member.id).length === 0);
  }

  private isMember(userId: string): boolean {
    return this.log.members().some((member) => member.id === userId);
  }

  /** The request was accepted: presence, typing and receipts flow from now on. */
  async accept(): Promise<void> {
    if (!this.log.pendingFrom()) return;
    this.log.accept();
    for (const userId of this.sockets.presentUsers()) this.broadcast({ type: "presence", userId, online: true });
  }

  /** One sign-in was logged out: its sockets here close at once. */
  async endSession(userId: string, sessionId: string): Promise<void> {
    this.closeEach(this.sockets.ofSession(userId, sessionId), CLOSE_SESSION_ENDED, "logged out");
  }

  /**
   * Removes the conversation: sockets, messages, cursors. The ended members' sockets learn why;
   * everyone else's learn that the conversation is gone. Safe to repeat, and the object stays
   * usable: the same two people may connect again and start afresh.
   */
  async destroy(ended: EndedMember | EndedMember[] = []): Promise<void> {
    // Several members when their accounts end together (a purge batch): each socket learns its own reason.
    const reasons = new Map((Array.isArray(ended) ? ended : [ended]).map((member) => [member.userId, member.reason]));
    for (const ws of this.sockets.open()) {
      const reason = reasons.get(this.sockets.attachment(ws)?.userId ?? "");
      if (reason) this.sockets.close(ws, CLOSE_ACCOUNT_ENDED, reason);
      else this.sockets.close(ws, CLOSE_CONVERSATION_ENDED, "conversation deleted");
    }
    this.typing.clear();
    // A batch still being written would land after the caller deletes the archive: wait for it.
    await this.archive.settled();
    await this.ctx.storage.deleteAlarm();
    // A room nobody ever opened holds no row: nothing to delete, and its schema stays as migrate() leaves it.
    if (holdsRows(this.ctx.storage.sql)) await this.ctx.storage.deleteAll();
    this.scheduler.reset();
    this.log.migrate();
  }

  private handleFrame(ws: WebSocket, raw: string | ArrayBuffer): void {
    const sender = this.sockets.attachment(ws);
    if (!sender) return this.sockets.close(ws, CLOSE_POLICY_VIOLATION, "unknown socket");
    // Removed from the group while a frame was on its way: nothing more from this socket.
    if (!this.isMember(sender.userId)) return this.closeEach([ws], CLOSE_CONVERSATION_ENDED, "removed");
    // The account ended between alarms: nothing more from this socket.
    if (sender.expiresAt <= Date.now()) return this.closeEach([ws], CLOSE_ACCOUNT_ENDED, "expired");
    const parsed = parseClientMessage(raw);
    if (!parsed.ok) return this.refuse(ws, parsed.code, parsed.message);
    const frame = parsed.value;
    switch (frame.type) {
      case "send":
        return this.handleSend(ws, sender, frame);
      case "typing":
        return this.handleTyping(ws, sender.userId, frame.on);
      case "read":
        return this.handleRead(sender.userId, frame.seq);
      case "resume":
        return this.handleResume(ws, sender.userId, frame.afterSeq);
      case "delete":
        return this.handleDelete(ws, sender.userId, frame.seq);
    }
  }

  /** One transaction, then the ack and the broadcast; the hubs hear of it later, coalesced. */
  private handleSend(ws: WebSocket, sender: SocketAttachment, frame: Send): void {
    const now = Date.now();
    // While a socket is paused, every send is refused, so none can overtake one refused earlier.
    if (
      this.log.pendingFrom() === sender.userId &&
      this.log.sentBy(sender.userId) >= WIRE_LIMITS.messagesBeforeAccept
    ) {
      return this.refuse(ws, "request_pending", "Wait until they accept your request to send more.", frame.id);
    }
    const pausedFor = (this.sendPausedUntil.get(ws) ?? 0) - now;
    if (pausedFor > 0) return this.refuseForRate(ws, frame.id, pausedFor);
    const waitMs = this.buckets.take(ws, now)
      ? this.userSends.take(sender.userId, now)
      : Math.ceil(1000 / WIRE_LIMITS.sendsPerSecond);
    if (waitMs > 0) {
      this.sendPausedUntil.set(ws, now + waitMs);
      // Only the refusal that starts a pause counts as a violation: a flood still ends in 1008.
      if (this.sockets.countViolation(ws) > WIRE_LIMITS.maxViolations) {
        return this.closeEach([ws], CLOSE_POLICY_VIOLATION, "too many invalid frames");
      }
      return this.refuseForRate(ws, frame.id, waitMs);
    }
    const appended = this.log.append(
      frame.id,
      sender.userId,
      frame.body,
      now,
      WIRE_LIMITS.storedCharsPerUser,
      this.mentionsIn(frame.body, sender.userId),
    );
    if (!appended.stored && "quotaExceeded" in appended) {
      return this.refuse(ws, "quota_exceeded", "You have stored as much as one conversation allows.", frame.id);
    }
    if (!appended.stored) {
      if (appended.senderId !== sender.userId) {
        return this.refuse(ws, "duplicate_id", "That message id is already taken.", frame.id);
      }
      // A resend of a stored message gets the same ack again.
      return this.sockets.send(ws, { type: "ack", id: frame.id, seq: appended.seq } satisfies ServerMessage);
    }
    const { message } = appended;
    this.sockets.send(ws, { type: "ack", id: message.id, seq: message.seq } satisfies ServerMessage);
    this.broadcast({ type: "message", message });
    this.typingRelayedAt.delete(sender.userId);
    if (this.typing.delete(sender.userId)) {
      this.broadcast({ type: "typing", userId: sender.userId, on: false }, ws);
      this.tellAbsentHubsOfTyping(sender.userId, false);
    }
    this.noticeHubsSoon(now);
    // Only MongoDB is an archive: the embedded Store is one object that every message would visit.
    if (this.env.MONGODB_URI) this.scheduler.atOrBefore("archive", now + ARCHIVE_DELAY_MS);
  }

  /**
   * "Typing" is relayed at most once a second per user, so that the others' indicator stays up
   * while typing goes on; a stop is relayed whenever the user was shown typing.
   */
  private handleTyping(ws: WebSocket, userId: string, on: boolean): void {
    // No typing either way while the conversation is a request.
    if (this.log.pendingFrom()) return;
    const now = Date.now();
    if (!on) {
      if (!this.typing.delete(userId)) return;
      this.broadcast({ type: "typing", userId, on: false }, ws);
      return this.tellAbsentHubsOfTyping(userId, false);
    }
    if (now - (this.typingRelayedAt.get(userId) ?? 0) < WIRE_LIMITS.typingRelayMs) return;
    this.typing.add(userId);
    this.typingRelayedAt.set(userId, now);
    this.broadcast({ type: "typing", userId, on: true }, ws);
    this.tellAbsentHubsOfTyping(userId, true);
  }

  /**
   * Members with no socket here see typing in their list, through their hub; within the same
   * budget. Not in a group: a keystroke would cost a call per absent member.
   */
  private tellAbsentHubsOfTyping(userId: string, on: boolean): void {
    const conversationId = this.log.conversationId();
    if (!conversationId || this.log.group()) return;
    for (const member of this.log.members()) {
      if (member.id === userId || this.sockets.ofUser(member.id).length > 0) continue;
      this.ctx.waitUntil(
        hubFor(this.env, member.id)
          .peerTyping(conversationId, userId, on)
          .catch((error: unknown) => log("warn", "typing_notice_failed", {}, error)),
      );
    }
  }

  /** Deletes one of the sender's own messages for everyone; it counts against the send budget. */
  private handleDelete(ws: WebSocket, userId: string, seq: number): void {
    if (!this.buckets.take(ws, Date.now())) return this.refuse(ws, "rate_limited", "Slow down.");
    if (!this.log.deleteMessage(seq, userId)) {
      return this.refuse(ws, "invalid_frame", "You can delete only your own messages, once.");
    }
    this.broadcast({ type: "deleted", seq });
    if (this.log.lastSeq() === seq) {
      this.log.markAllHubsStale();
      this.scheduler.atOrBefore("notify-hubs", Date.now() + HUB_NOTICE_DELAY_MS);
    }
  }

  /** The cursor is stored at once; the others see the latest one, at most every HUB_NOTICE_DELAY_MS. */
  private handleRead(userId: string, seq: number): void {
    if (this.log.advanceRead(userId, seq) === null) return;
    this.readsToRelay.add(userId);
    // The reader's hub catches up when they leave the chat.
    this.scheduler.atOrBefore("relay-reads", Date.now() + HUB_NOTICE_DELAY_MS);
  }

  private relayReads(): void {
    // Receipts wait for acceptance; the cursors are kept, and hello carries them afterwards.
    if (this.log.pendingFrom()) return this.readsToRelay.clear();
    const cursors = this.log.readCursors();
    for (const userId of this.readsToRelay) {
      const seq = cursors[userId];
      if (seq !== undefined) this.broadcast({ type: "read", userId, seq });
    }
    this.readsToRelay.clear();
  }

  /**
   * Replays one page of what the socket missed, in order, then says where it stopped: the client
   * asks for the next page, so one small frame never makes the room send a whole history.
   * Synchronous, so no live message interleaves.
   */
  private handleResume(ws: WebSocket, userId: string, afterSeq: number): void {
    if (!this.resumes.take(ws, Date.now())) return this.refuse(ws, "rate_limited", "Too many resumes at once.");
    const floor = this.log.visibleFrom(userId) ?? Number.MAX_SAFE_INTEGER;
    const page = this.log.after(afterSeq, WIRE_LIMITS.replayPage + 1, floor);
    const sent = page.slice(0, WIRE_LIMITS.replayPage);
    for (const message of sent) this.sockets.send(ws, { type: "message", message } satisfies ServerMessage);
    const throughSeq = sent.at(-1)?.seq ?? Math.max(afterSeq, 0);
    this.sockets.send(ws, { type: "replayed", throughSeq, more: page.length > sent.length } satisfies ServerMessage);
  }

  /** A send refused for now: the same id may be sent again after `retryAfterMs`. */
  private refuseForRate(ws: WebSocket, id: string, retryAfterMs: number): void {
    const seconds = Math.ceil(retryAfterMs / 1000);
    this.sockets.send(ws, {
      type: "error",
      code: "rate_limited",
      message: `Too many messages. Try again in ${seconds} s.`,
      id,
      retryAfterMs,
    } satisfies ServerMessage);
  }

  private refuse(ws: WebSocket, code: FrameErrorCode, message: string, id?: string): void {
    this.sockets.send(ws, { type: "error", code, message, ...(id ? { id } : {}) } satisfies ServerMessage);
    if (this.sockets.countViolation(ws) > WIRE_LIMITS.maxViolations) {
      this.closeEach([ws], CLOSE_POLICY_VIOLATION, "too many invalid frames");
    }
  }

  private closeEach(sockets: WebSocket[], code: number, reason: string): void {
    for (const ws of sockets) {
      this.sockets.close(ws, code, reason);
      this.leave(ws);
    }
  }

  /** A member's last socket left: others see them go. */
  private leave(ws: WebSocket): void {
    const userId = this.sockets.attachment(ws)?.userId;
    // A member removed from the group left with the members frame already.
    if (!userId || !this.isMember(userId) || this.sockets.presentUsers(ws).has(userId)) return;
    if (this.typing.delete(userId)) this.broadcast({ type: "typing", userId, on: false }, ws);
    if (!this.log.pendingFrom()) this.broadcast({ type: "presence", userId, online: false }, ws);
    // Their hub heard nothing while they were here: it catches up now.
    if (this.log.staleHubs().some((member) => member.userId === userId)) {
      this.scheduler.atOrBefore("notify-hubs", Date.now() + HUB_NOTICE_DELAY_MS);
    }
  }

  /**
   * Tells the hubs of members with no socket here the latest state of this conversation (last
   * message, their unread count), at most once per HUB_NOTICE_DELAY_MS however many messages came
   * in between. A member who is here gets every message from the room; their hub catches up when
   * they leave (DESIGN.md: a message costs no cross-object call when everyone is present).
   */
  private async notifyHubs(): Promise<void> {
    const conversationId = this.log.conversationId();
    if (!conversationId) return;
    const present = this.sockets.presentUsers();
    const due = this.log.staleHubs().filter((member) => !present.has(member.userId));
    if (due.length === 0) return;
    const lastMessage = this.log.lastMessage();
    const group = this.log.group() !== null;
    this.log.markHubsCurrent(due.map((member) => member.userId));
    const results = await Promise.allSettled(
      due.map((member) =>
        hubFor(this.env, member.userId).conversationActivity({
          conversationId,
          lastMessage,
          unread: member.unread,
          ...(group ? { mentioned: member.mentioned } : {}),
        }),
      ),
    );
    const failed = due.filter((_, index) => results[index]?.status === "rejected");
    if (failed.length === 0) return;
    log("warn", "hub_notices_failed", { failed: failed.length, retryInMs: HUB_RETRY_DELAY_MS });
    // The next change or this retry carries the latest state: notices are idempotent.
    this.log.markHubsStale(failed.map((member) => member.userId));
    this.scheduler.atOrBefore("notify-hubs", Date.now() + HUB_RETRY_DELAY_MS);
  }

  /** Copies committed messages to the archive in batches; retried with backoff until they land. */
  private async flushArchive(): Promise<void> {
    const outcome = await this.archive.flush();
    if (outcome.state === "more") this.scheduler.atOrBefore("archive", Date.now());
    if (outcome.state === "failed") this.scheduler.atOrBefore("archive", Date.now() + outcome.retryInMs);
  }

  private hello(userId: string): ServerMessage {
    const pending = this.log.pendingFrom() !== null;
    const group = this.log.group();
    const present = this.sockets.presentUsers();
    present.add(userId);
    return {
      type: "hello",
      protocol: PROTOCOL_VERSION,
      conversationId: this.log.conversationId() ?? "",
      me: userId,
      // While a request is pending, nobody learns whether the other is here.
      members: this.log.members().map((member) => ({
        ...member,
        online: present.has(member.id) && (member.id === userId || !pending),
      })),
      lastSeq: this.log.lastSeq(),
      readUpTo: pending ? ownCursor(this.log.readCursors(), userId) : this.log.readCursors(),
      ...(group ? { group, visibleFromSeq: this.log.visibleFrom(userId) ?? this.log.lastSeq() + 1 } : {}),
    };
  }

  /** A group's whole new state, after the line that tells the change. */
  private membersFrame(): ServerMessage {
    const present = this.sockets.presentUsers();
    return {
      type: "members",
      members: this.log.members().map((member) => ({ ...member, online: present.has(member.id) })),
      group: this.log.group() ?? { name: "", admins: [] },
    };
  }

  /** Closes a user's sockets here for good, with what their typing left behind. */
  private dropMember(userId: string, code: number, reason: string): void {
    for (const ws of this.sockets.ofUser(userId)) this.sockets.close(ws, code, reason);
    this.typingRelayedAt.delete(userId);
    this.readsToRelay.delete(userId);
    if (this.typing.delete(userId)) this.broadcast({ type: "typing", userId, on: false });
  }

  /** In a group, the members other than the sender whom the body mentions as `@username`. */
  private mentionsIn(body: string, senderId: string): string[] {
    if (!this.log.group() || !body.includes("@")) return [];
    const names = mentionedNames(body);
    return this.log
      .members()
      .filter((member) => member.id !== senderId && names.has(member.username.toLowerCase()))
      .map((member) => member.id);
  }

  /** The hubs of absent members hear of the change a little later, coalesced. */
  private noticeHubsSoon(now: number): void {
    if (this.someMemberAbsent()) this.scheduler.atOrBefore("notify-hubs", now + HUB_NOTICE_DELAY_MS);
  }

  private broadcast(frame: ServerMessage, except?: WebSocket): void {
    this.sockets.broadcast(frame, except);
  }
}

function ownCursor(cursors: Record<string, number>, userId: string): Record<string, number> {
  const seq = cursors[userId];
  return seq === undefined ? {} : { [userId]: seq };
}

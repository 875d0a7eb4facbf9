import { DurableObject } from "cloudflare:workers";
import type { Message } from "../protocol/api";
import type { FrameErrorCode } from "../protocol/errors";
import {
  CLOSE_ACCOUNT_ENDED,
  CLOSE_CONVERSATION_ENDED,
  CLOSE_POLICY_VIOLATION,
  CLOSE_REPLACED,
  CLOSE_SESSION_ENDED,
  type ClientMessage,
  parseClientMessage,
  type ServerMessage,
  WIRE_LIMITS,
} from "../protocol/wire";
import { countedStorage } from "../server/counters";
import { log } from "../server/log";
import { storeFor } from "../server/ports";
import { readIdentity } from "./identity";
import { ARCHIVE_DELAY_MS, RoomArchive } from "./room-archive";
import { helloFrame, type KnownConversation, knownConversation, replayFrames } from "./room-catch-up";
import { HubNotices } from "./room-hub-notices";
import { ConversationLog } from "./room-log";
import { type EndedMember, type GroupChangeInput, RoomMembership } from "./room-membership";
import { SendLimits } from "./room-send-limits";
import { TypingAndReceipts } from "./room-typing-receipts";
import { AlarmScheduler } from "./scheduler";
import { HibernatingSockets, type SocketAttachment, type SocketJob } from "./sockets";
import { holdsRows } from "./stored-rows";

/** The RPC types the Worker imports; defined beside the part that takes or makes them. */
export type { KnownConversation } from "./room-catch-up";
export type { EndedMember, GroupChangeInput } from "./room-membership";

type RoomJob = SocketJob | "notify-hubs" | "relay-reads" | "archive";
type Send = Extract<ClientMessage, { type: "send" }>;

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
  private readonly hubs: HubNotices;
  private readonly signals: TypingAndReceipts;
  private readonly membership: RoomMembership;
  private readonly limits = new SendLimits();

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    const storage = countedStorage(ctx.storage, "room", env);
    this.log = new ConversationLog(storage);
    this.sockets = new HibernatingSockets(ctx);
    this.scheduler = new AlarmScheduler(storage);
    this.archive = new RoomArchive(this.log, () => storeFor(this.env, this.log.meta.conversationId() ?? undefined));
    const scheduleBy = (job: RoomJob) => (due: number) => this.scheduler.atOrBefore(job, due);
    this.hubs = new HubNotices(env, this.log, this.sockets, scheduleBy("notify-hubs"), (work) => ctx.waitUntil(work));
    this.signals = new TypingAndReceipts(this.log, this.sockets, this.hubs, scheduleBy("relay-reads"));
    this.membership = new RoomMembership(this.log, this.sockets, this.signals, this.hubs);
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
    } else if (
      this.log.meta.conversationId() !== identity.conversationId ||
      !this.log.members.includes(identity.userId)
    ) {
      // The Worker could not ask the Store: only a member this room already knows comes in.
      const error = { code: "conversation_not_found", message: "No such conversation." };
      return Response.json({ error }, { status: 404 });
    }
    this.sockets.makeRoom(identity.userId, WIRE_LIMITS.socketsPerUser, CLOSE_REPLACED);
    const wasPresent = this.sockets.ofUser(identity.userId).length > 0;
    const { client, server } = this.sockets.accept(identity, now);
    this.sockets.send(server, helloFrame(this.log, this.sockets.presentUsers(), identity.userId));
    if (!wasPresent && !this.log.meta.pendingFrom()) {
      this.sockets.broadcast({ type: "presence", userId: identity.userId, online: true }, server);
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
      this.sockets.send(ws, {
        type: "error",
        code: "internal_error",
        message: "That did not work. Please try again.",
        ...(frame.ok ? concerning(frame.value) : {}),
      } satisfies ServerMessage);
    }
  }

  override webSocketClose(ws: WebSocket, code: number): void {
    this.sockets.answerClose(ws, code);
    this.leave(ws);
  }

  override webSocketError(ws: WebSocket): void {
    this.leave(ws);
  }

  /**
   * Every timed job, each at least once (AlarmScheduler.runDue): the heartbeat sweep, account
   * expiry, coalesced hub notices, relayed read receipts and the archive flush. Idempotent.
   */
  override async alarm(): Promise<void> {
    const now = Date.now();
    try {
      await this.scheduler.runDue(now, async (job) => {
        if (job === "sweep") this.closeEach(this.sockets.stale(now), 1001, "heartbeat timeout");
        if (job === "expiry") this.closeEach(this.sockets.expired(now), CLOSE_ACCOUNT_ENDED, "expired");
        if (job === "relay-reads") this.signals.relayReads();
        if (job === "notify-hubs") await this.hubs.send();
        if (job === "archive") await this.flushArchive();
      });
    } finally {
      this.sockets.watch(this.scheduler, now);
    }
  }

  /** A page of history, oldest first; empty once the conversation was destroyed. */
  async history(
    beforeSeq: number | undefined,
    limit: number,
    memberCheck?: string,
  ): Promise<{ messages: Message[]; hasMore: boolean } | null> {
    if (memberCheck === undefined) return this.log.messages.page(beforeSeq, limit);
    // A group member sees history from the line that added them.
    const floor = this.log.members.visibleFrom(memberCheck);
    return floor === null ? null : this.log.messages.page(beforeSeq, limit, floor);
  }

  /** Who is in the conversation, whether it is a request, a group's name and admins, for a member it knows; else null. */
  async conversationAs(userId: string): Promise<KnownConversation | null> {
    return knownConversation(this.log, userId);
  }

  /** A group changed (the Store saved it): the room tells it, see RoomMembership. */
  async applyGroupChange(change: GroupChangeInput): Promise<{ message: Message }> {
    return { message: this.membership.applyGroupChange(change, Date.now()) };
  }

  /** A member's account ended: see RoomMembership; the room is destroyed once nobody is left. */
  async memberEnded(ended: EndedMember): Promise<{ remaining: string[] }> {
    const { remaining, emptied } = this.membership.memberEnded(ended, Date.now());
    if (emptied) await this.destroy();
    return { remaining };
  }

  /** The request was accepted: presence, typing and receipts flow from now on. */
  async accept(): Promise<void> {
    if (!this.log.meta.pendingFrom()) return;
    this.log.meta.setPendingFrom(null);
    for (const userId of this.sockets.presentUsers())
      this.sockets.broadcast({ type: "presence", userId, online: true });
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
    this.signals.clear();
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
    if (!this.log.members.includes(sender.userId)) return this.closeEach([ws], CLOSE_CONVERSATION_ENDED, "removed");
    // The account ended between alarms: nothing more from this socket.
    if (sender.expiresAt <= Date.now()) return this.closeEach([ws], CLOSE_ACCOUNT_ENDED, "expired");
    const parsed = parseClientMessage(raw);
    // A refused send names its id when that parsed, so the client marks that message failed.
    if (!parsed.ok) return this.refuse(ws, parsed.code, parsed.message, parsed.id ? { id: parsed.id } : {});
    const frame = parsed.value;
    switch (frame.type) {
      case "send":
        return this.handleSend(ws, sender, frame);
      case "typing":
        return this.signals.typed(ws, sender.userId, frame.on, Date.now());
      case "read":
        return this.signals.read(sender.userId, frame.seq, Date.now());
      case "resume":
        return this.handleResume(ws, sender.userId, frame.afterSeq);
      case "delete":
        return this.handleDelete(ws, sender.userId, frame.seq);
    }
  }

  /** One transaction, then the ack and the broadcast; the hubs hear of it later, coalesced. */
  private handleSend(ws: WebSocket, sender: SocketAttachment, frame: Send): void {
    const now = Date.now();
    if (
      this.log.meta.pendingFrom() === sender.userId &&
      this.log.messages.sentBy(sender.userId) >= WIRE_LIMITS.messagesBeforeAccept
    ) {
      return this.refuse(ws, "request_pending", "Wait until they accept your request to send more.", { id: frame.id });
    }
    const refusal = this.limits.takeSend(ws, sender.userId, now);
    if (refusal) {
      if (refusal.startsPause && this.sockets.countViolation(ws) > WIRE_LIMITS.maxViolations) {
        return this.closeEach([ws], CLOSE_POLICY_VIOLATION, "too many invalid frames");
      }
      return this.refuseForRate(ws, frame.id, refusal.retryAfterMs);
    }
    const appended = this.log.append(
      frame.id,
      sender.userId,
      frame.body,
      now,
      WIRE_LIMITS.storedCharsPerUser,
      this.membership.mentionsIn(frame.body, sender.userId),
    );
    if (!appended.stored && "quotaExceeded" in appended) {
      return this.refuse(ws, "quota_exceeded", "You have stored as much as one conversation allows.", {
        id: frame.id,
      });
    }
    if (!appended.stored) {
      if (appended.senderId !== sender.userId) {
        return this.refuse(ws, "duplicate_id", "That message id is already taken.", { id: frame.id });
      }
      // A resend of a stored message gets the same ack again.
      return this.sockets.send(ws, { type: "ack", id: frame.id, seq: appended.seq } satisfies ServerMessage);
    }
    const { message } = appended;
    this.sockets.send(ws, { type: "ack", id: message.id, seq: message.seq } satisfies ServerMessage);
    this.sockets.broadcast({ type: "message", message });
    this.signals.sent(ws, sender.userId);
    this.hubs.soon(now);
    // Only MongoDB is an archive: the embedded Store is one object that every message would visit.
    if (this.env.MONGODB_URI) this.scheduler.atOrBefore("archive", now + ARCHIVE_DELAY_MS);
  }

  /**
   * Deletes one of the sender's own messages for everyone; it counts against the send budget.
   * When the archive may hold its body, the deletion is queued with it and the alarm writes it.
   */
  private handleDelete(ws: WebSocket, userId: string, seq: number): void {
    const now = Date.now();
    if (!this.limits.takeDelete(ws, now)) return this.refuse(ws, "rate_limited", "Slow down.", { seq });
    const deleted = this.log.transaction(() =>
      this.log.messages.delete(seq, userId) ? { forArchive: this.archive.deleted(seq) } : null,
    );
    if (!deleted) return this.refuse(ws, "invalid_frame", "You can delete only your own messages, once.", { seq });
    this.sockets.broadcast({ type: "deleted", seq });
    if (this.log.messages.lastSeq() === seq) this.hubs.lastMessageDeleted(now);
    if (deleted.forArchive && this.env.MONGODB_URI) this.scheduler.atOrBefore("archive", now + ARCHIVE_DELAY_MS);
  }

  /** Replays one page of what the socket missed; synchronous, so no live message interleaves. */
  private handleResume(ws: WebSocket, userId: string, afterSeq: number): void {
    if (!this.limits.takeResume(ws, Date.now())) return this.refuse(ws, "rate_limited", "Too many resumes at once.");
    for (const frame of replayFrames(this.log, userId, afterSeq)) this.sockets.send(ws, frame);
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

  /** An error frame naming what it refuses (`id` of a send, `seq` of a delete); many close the socket. */
  private refuse(ws: WebSocket, code: FrameErrorCode, message: string, concerns: Concerns = {}): void {
    this.sockets.send(ws, { type: "error", code, message, ...concerns } satisfies ServerMessage);
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
    if (!userId || !this.log.members.includes(userId) || this.sockets.presentUsers(ws).has(userId)) return;
    this.signals.left(ws, userId);
    if (!this.log.meta.pendingFrom()) this.sockets.broadcast({ type: "presence", userId, online: false }, ws);
    this.hubs.memberLeft(userId, Date.now());
  }

  /** Copies committed messages to the archive in batches; retried with backoff until they land. */
  private async flushArchive(): Promise<void> {
    const outcome = await this.archive.flush();
    if (outcome.state === "more") this.scheduler.atOrBefore("archive", Date.now());
    if (outcome.state === "failed") this.scheduler.atOrBefore("archive", Date.now() + outcome.retryInMs);
  }
}

/** What a refusal names: the send's id or the deleted message's seq. */
type Concerns = { id?: string; seq?: number };

/** What a frame that failed in the room names in its error: a send's id, a delete's seq. */
function concerning(frame: ClientMessage): Concerns {
  if (frame.type === "send") return { id: frame.id };
  if (frame.type === "delete") return { seq: frame.seq };
  return {};
}

import { DurableObject } from "cloudflare:workers";
import type { Message } from "../protocol/api";
import {
  CLOSE_ACCOUNT_ENDED,
  CLOSE_POLICY_VIOLATION,
  type ClientMessage,
  HEARTBEAT_TIMEOUT_MS,
  PROTOCOL_VERSION,
  parseClientMessage,
  type ServerMessage,
  WIRE_LIMITS,
} from "../protocol/wire";
import { cacheFor } from "../server/ports";
import { consume, RATE_RULES } from "../server/rate-limit";
import { hubFor } from "./addresses";
import { readIdentity } from "./identity";
import { ConversationLog } from "./room-log";
import { HibernatingSockets, type SocketAttachment } from "./sockets";
import { TokenBuckets } from "./token-buckets";

/** Messages per query while replaying after `resume`. */
const REPLAY_BATCH = 200;

type Send = Extract<ClientMessage, { type: "send" }>;

/**
 * One conversation: its members' sockets, presence in the room, typing, read cursors and the
 * message log. A message is committed to SQLite, then acknowledged and broadcast.
 */
export class ConversationRoom extends DurableObject<Env> {
  private readonly log: ConversationLog;
  private readonly sockets: HibernatingSockets;
  private readonly buckets = new TokenBuckets(WIRE_LIMITS.sendBurst, WIRE_LIMITS.sendsPerSecond);
  /** Frames of one socket are handled in order, even across the await of a rate-limit check. */
  private readonly queues = new WeakMap<WebSocket, Promise<void>>();
  /** Who is typing now; lost on hibernation, which only drops a transient indicator. */
  private readonly typing = new Set<string>();

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.log = new ConversationLog(ctx.storage);
    this.sockets = new HibernatingSockets(ctx);
  }

  override async fetch(request: Request): Promise<Response> {
    const refusal = HibernatingSockets.refuseNonUpgrade(request);
    if (refusal) return refusal;
    const identity = readIdentity(request);
    if (!identity?.conversationId || !identity.members) {
      return Response.json({ error: { code: "bad_request", message: "Missing identity." } }, { status: 400 });
    }
    this.log.remember(identity.conversationId, identity.members);
    const wasPresent = this.sockets.ofUser(identity.userId).length > 0;
    const { client, server } = this.sockets.accept(identity.userId, Date.now());
    this.sockets.send(server, this.hello(identity.userId));
    if (!wasPresent) this.broadcast({ type: "presence", userId: identity.userId, online: true }, server);
    await this.sockets.scheduleSweep();
    return new Response(null, { status: 101, webSocket: client });
  }

  override webSocketMessage(ws: WebSocket, raw: string | ArrayBuffer): Promise<void> {
    const previous = this.queues.get(ws) ?? Promise.resolve();
    const next = previous
      .then(() => this.handleFrame(ws, raw))
      .catch((error: unknown) => {
        // The client keeps an unacknowledged message and sends it again: a resend is stored once.
        console.error("room frame failed", error);
        const frame = parseClientMessage(raw);
        const id = frame.ok && frame.value.type === "send" ? frame.value.id : undefined;
        this.sockets.send(ws, {
          type: "error",
          code: "internal_error",
          message: "That did not work. Please try again.",
          ...(id ? { id } : {}),
        } satisfies ServerMessage);
      });
    this.queues.set(ws, next);
    return next;
  }

  override async webSocketClose(ws: WebSocket, code: number): Promise<void> {
    this.sockets.close(ws, code === 1005 ? 1000 : code, "closing");
    this.leave(ws);
  }

  override async webSocketError(ws: WebSocket): Promise<void> {
    this.leave(ws);
  }

  /** Closes sockets whose heartbeats stopped: a hibernated socket can stay open after its tab is gone. */
  override async alarm(): Promise<void> {
    for (const ws of this.sockets.stale(Date.now(), HEARTBEAT_TIMEOUT_MS)) {
      this.sockets.close(ws, 1001, "heartbeat timeout");
      this.leave(ws);
    }
    await this.sockets.scheduleSweep();
  }

  /** A page of history, oldest first. */
  async history(
    conversationId: string,
    beforeSeq: number | undefined,
    limit: number,
  ): Promise<{ messages: Message[]; hasMore: boolean }> {
    return this.log.page(conversationId, beforeSeq, limit);
  }

  /** Closes every socket: a member's access ended. Storage stays for a later reconnection. */
  async revoke(): Promise<void> {
    this.sockets.closeAll(CLOSE_ACCOUNT_ENDED, "membership ended");
  }

  /** Removes the conversation: sockets, messages, cursors. Safe to repeat. */
  async destroy(): Promise<void> {
    this.sockets.closeAll(CLOSE_ACCOUNT_ENDED, "conversation deleted");
    await this.ctx.storage.deleteAlarm();
    await this.ctx.storage.deleteAll();
  }

  private async handleFrame(ws: WebSocket, raw: string | ArrayBuffer): Promise<void> {
    const sender = this.sockets.attachment(ws);
    if (!sender) return this.sockets.close(ws, CLOSE_POLICY_VIOLATION, "unknown socket");
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
        return this.replay(ws, frame.afterSeq);
    }
  }

  private async handleSend(ws: WebSocket, sender: SocketAttachment, frame: Send): Promise<void> {
    if (this.acknowledgeResend(ws, sender.userId, frame.id)) return;
    if (!this.buckets.take(ws, Date.now())) {
      return this.refuse(ws, "rate_limited", "Slow down: too many messages at once.", frame.id);
    }
    const decision = await consume(cacheFor(this.env), RATE_RULES.sendPerUser, sender.userId);
    if (!decision.allowed) {
      return this.refuse(
        ws,
        "rate_limited",
        `Too many messages. Try again in ${decision.retryAfterSeconds} s.`,
        frame.id,
      );
    }
    // The await above let other frames run: the same id may have been stored meanwhile.
    if (this.acknowledgeResend(ws, sender.userId, frame.id)) return;
    const conversationId = this.log.conversationId();
    if (!conversationId) return this.refuse(ws, "internal_error", "This conversation is not set up.", frame.id);
    const message = this.log.append(conversationId, frame.id, sender.userId, frame.body, Date.now());
    this.sockets.send(ws, { type: "ack", id: message.id, seq: message.seq } satisfies ServerMessage);
    this.broadcast({ type: "message", message });
    if (this.typing.delete(sender.userId)) this.broadcast({ type: "typing", userId: sender.userId, on: false }, ws);
    this.ctx.waitUntil(this.tellHubs(message));
  }

  /** A resend of a stored message gets the same ack again; true when `id` was already used. */
  private acknowledgeResend(ws: WebSocket, userId: string, id: string): boolean {
    const existing = this.log.find(id);
    if (!existing) return false;
    if (existing.senderId === userId) {
      this.sockets.send(ws, { type: "ack", id, seq: existing.seq } satisfies ServerMessage);
    } else {
      this.refuse(ws, "duplicate_id", "That message id is already taken.", id);
    }
    return true;
  }

  private handleTyping(ws: WebSocket, userId: string, on: boolean): void {
    const changed = on ? !this.typing.has(userId) : this.typing.has(userId);
    if (!changed) return;
    if (on) this.typing.add(userId);
    else this.typing.delete(userId);
    this.broadcast({ type: "typing", userId, on }, ws);
  }

  private handleRead(userId: string, seq: number): void {
    const upTo = Math.min(seq, this.log.lastSeq());
    if (!this.log.advanceRead(userId, upTo)) return;
    this.broadcast({ type: "read", userId, seq: upTo });
    const conversationId = this.log.conversationId();
    if (!conversationId) return;
    const unread = this.log.unreadFor(userId);
    this.ctx.waitUntil(hubFor(this.env, userId).unreadChanged(conversationId, unread).catch(logHubFailure));
  }

  /** Sends every stored message after `afterSeq`, in order. Synchronous, so no live message interleaves. */
  private replay(ws: WebSocket, afterSeq: number): void {
    const conversationId = this.log.conversationId();
    if (!conversationId) return;
    let cursor = afterSeq;
    for (;;) {
      const batch = this.log.after(conversationId, cursor, REPLAY_BATCH);
      for (const message of batch) this.sockets.send(ws, { type: "message", message } satisfies ServerMessage);
      if (batch.length < REPLAY_BATCH) return;
      cursor = batch[batch.length - 1]!.seq;
    }
  }

  private refuse(ws: WebSocket, code: string, message: string, id?: string): void {
    this.sockets.send(ws, { type: "error", code, message, ...(id ? { id } : {}) } satisfies ServerMessage);
    if (this.sockets.countViolation(ws) > WIRE_LIMITS.maxViolations) {
      this.sockets.close(ws, CLOSE_POLICY_VIOLATION, "too many invalid frames");
      this.leave(ws);
    }
  }

  private leave(ws: WebSocket): void {
    const userId = this.sockets.attachment(ws)?.userId;
    if (!userId || this.sockets.presentUsers(ws).has(userId)) return;
    if (this.typing.delete(userId)) this.broadcast({ type: "typing", userId, on: false }, ws);
    this.broadcast({ type: "presence", userId, online: false }, ws);
  }

  private hello(userId: string): ServerMessage {
    const present = this.sockets.presentUsers();
    present.add(userId);
    return {
      type: "hello",
      protocol: PROTOCOL_VERSION,
      conversationId: this.log.conversationId() ?? "",
      me: userId,
      members: this.log.members().map((member) => ({ ...member, online: present.has(member.id) })),
      lastSeq: this.log.lastSeq(),
      readUpTo: this.log.readCursors(),
    };
  }

  private broadcast(frame: ServerMessage, except?: WebSocket): void {
    this.sockets.broadcast(frame, except);
  }

  /** Every member's hub learns of the message, with that member's unread count. */
  private async tellHubs(message: Message): Promise<void> {
    const notices = this.log.members().map((member) =>
      hubFor(this.env, member.id)
        .conversationActivity({
          conversationId: message.conversationId,
          lastMessage: message,
          unread: this.log.unreadFor(member.id),
        })
        .catch(logHubFailure),
    );
    await Promise.all(notices);
  }
}

function logHubFailure(error: unknown): void {
  console.error("hub notification failed", error);
}

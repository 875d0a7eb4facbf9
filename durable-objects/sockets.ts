import { HEARTBEAT_PING, HEARTBEAT_PONG, HEARTBEAT_TIMEOUT_MS } from "../protocol/wire";
import { SWEEP_INTERVAL_MS } from "../server/timing";
import type { AlarmScheduler } from "./scheduler";

const RESERVED_CLOSE_CODES = new Set([1005, 1006, 1015]);

/** The timed jobs every object with sockets runs: the heartbeat sweep and the account-expiry check. */
export type SocketJob = "sweep" | "expiry";

/** What every hibernatable socket carries across hibernation (at most 16 KB). */
export interface SocketAttachment {
  userId: string;
  /** The sign-in this socket belongs to: logging out ends it. */
  sessionId: string;
  /** When the account ends: the socket is refused from then on. */
  expiresAt: number;
  connectedAt: number;
  violations: number;
}

/** Who a socket is opened for, as the Worker vouched. */
export type SocketOwner = Pick<SocketAttachment, "userId" | "sessionId" | "expiresAt">;

/**
 * The hibernation plumbing in one place, so rooms and hubs read as domain logic:
 * sockets are tagged with their user id and carry their state in the attachment,
 * never only in memory, because memory is lost on hibernation and sockets are not.
 */
export class HibernatingSockets {
  constructor(private readonly ctx: DurableObjectState) {
    // Heartbeats are answered by the platform without waking the object.
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair(HEARTBEAT_PING, HEARTBEAT_PONG));
  }

  /** The answer to a request that is not a WebSocket upgrade, or null for an upgrade. */
  static refuseNonUpgrade(request: Request): Response | null {
    if (request.headers.get("Upgrade")?.toLowerCase() === "websocket") return null;
    return Response.json(
      { error: { code: "upgrade_required", message: "Expected a WebSocket upgrade." } },
      { status: 426 },
    );
  }

  /** Accepts the server side of a new pair; returns the client side for the 101 response. */
  accept(owner: SocketOwner, now: number): { client: WebSocket; server: WebSocket } {
    const [client, server] = Object.values(new WebSocketPair()) as [WebSocket, WebSocket];
    this.ctx.acceptWebSocket(server, [owner.userId]);
    const attachment: SocketAttachment = { ...owner, connectedAt: now, violations: 0 };
    server.serializeAttachment(attachment);
    return { client, server };
  }

  /** The socket's state, or null for a socket this object never accepted properly. */
  attachment(ws: WebSocket): SocketAttachment | null {
    const value = ws.deserializeAttachment() as Partial<SocketAttachment> | null;
    if (
      !value ||
      typeof value.userId !== "string" ||
      typeof value.sessionId !== "string" ||
      typeof value.expiresAt !== "number" ||
      typeof value.connectedAt !== "number"
    ) {
      return null;
    }
    return {
      userId: value.userId,
      sessionId: value.sessionId,
      expiresAt: value.expiresAt,
      connectedAt: value.connectedAt,
      violations: value.violations ?? 0,
    };
  }

  /** Counts a protocol violation on the socket and returns the new total. */
  countViolation(ws: WebSocket): number {
    const attachment = this.attachment(ws);
    if (!attachment) return Number.POSITIVE_INFINITY;
    attachment.violations += 1;
    ws.serializeAttachment(attachment);
    return attachment.violations;
  }

  /** Sockets still open; a closing one may linger in getWebSockets(). */
  open(): WebSocket[] {
    return this.ctx.getWebSockets().filter((ws) => ws.readyState === WebSocket.OPEN);
  }

  ofUser(userId: string): WebSocket[] {
    return this.ctx.getWebSockets(userId).filter((ws) => ws.readyState === WebSocket.OPEN);
  }

  /** User ids with at least one open socket, other than `leaving`. */
  presentUsers(leaving?: WebSocket): Set<string> {
    const users = new Set<string>();
    for (const ws of this.open()) {
      if (ws === leaving) continue;
      const attachment = this.attachment(ws);
      if (attachment) users.add(attachment.userId);
    }
    return users;
  }

  send(ws: WebSocket, frame: object): void {
    try {
      ws.send(JSON.stringify(frame));
    } catch {
      // The peer is gone; its close event cleans up.
    }
  }

  broadcast(frame: object, except?: WebSocket): void {
    const text = JSON.stringify(frame);
    for (const ws of this.open()) {
      if (ws === except) continue;
      try {
        ws.send(text);
      } catch {
        // The peer is gone; its close event cleans up.
      }
    }
  }

  /** Sockets whose last heartbeat (or connection, if none yet) is older than the timeout. */
  stale(now: number, timeoutMs = HEARTBEAT_TIMEOUT_MS): WebSocket[] {
    return this.open().filter((ws) => {
      const lastPing = this.ctx.getWebSocketAutoResponseTimestamp(ws)?.getTime();
      const last = lastPing ?? this.attachment(ws)?.connectedAt ?? 0;
      return now - last > timeoutMs;
    });
  }

  close(ws: WebSocket, code: number, reason: string): void {
    try {
      ws.close(code, reason);
    } catch {
      // Already closed.
    }
  }

  /**
   * Answers the peer's Close from webSocketClose. The runtime does not answer for a hibernatable
   * socket (web_socket_auto_reply_to_close covers accept() only), and without the answer the
   * client never sees its close. A no-op when this side closed first: the socket is then CLOSED,
   * and workerd keeps its connection until the object hibernates, which nothing here can shorten
   * (bench/hibernation-close.mjs).
   */
  answerClose(ws: WebSocket, code: number): void {
    // 1005, 1006 and 1015 describe a close and may not be sent.
    this.close(ws, RESERVED_CLOSE_CODES.has(code) ? 1000 : code, "closing");
  }

  closeAll(code: number, reason: string): void {
    for (const ws of this.ctx.getWebSockets()) this.close(ws, code, reason);
  }

  /**
   * Keeps a user below `cap` open sockets before another is accepted: the oldest give way, with
   * a close code that tells their tab not to reconnect. Returns the sockets it closed.
   */
  makeRoom(userId: string, cap: number, code: number): WebSocket[] {
    const oldestFirst = this.ofUser(userId).sort(
      (a, b) => (this.attachment(a)?.connectedAt ?? 0) - (this.attachment(b)?.connectedAt ?? 0),
    );
    const closing = oldestFirst.slice(0, Math.max(0, oldestFirst.length - cap + 1));
    for (const ws of closing) this.close(ws, code, "too many open tabs");
    return closing;
  }

  /** Open sockets of one sign-in. */
  ofSession(userId: string, sessionId: string): WebSocket[] {
    return this.ofUser(userId).filter((ws) => this.attachment(ws)?.sessionId === sessionId);
  }

  /** Open sockets whose account has ended by `now`. */
  expired(now: number): WebSocket[] {
    return this.open().filter((ws) => (this.attachment(ws)?.expiresAt ?? 0) <= now);
  }

  /** Keeps the sweep and the expiry check scheduled while sockets are open. */
  watch(scheduler: Pick<AlarmScheduler<SocketJob>, "atOrBefore">, now: number): void {
    const nextExpiry = this.nextExpiry();
    if (nextExpiry === null) return;
    scheduler.atOrBefore("sweep", now + SWEEP_INTERVAL_MS);
    scheduler.atOrBefore("expiry", nextExpiry);
  }

  /** When the next open socket's account ends, or null with none open. */
  nextExpiry(): number | null {
    let next: number | null = null;
    for (const ws of this.open()) {
      const expiresAt = this.attachment(ws)?.expiresAt;
      if (expiresAt !== undefined && (next === null || expiresAt < next)) next = expiresAt;
    }
    return next;
  }
}

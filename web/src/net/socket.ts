import type { AccountEndReason } from "../../../protocol/wire";
import {
  ACCOUNT_END_REASONS,
  CLOSE_ACCOUNT_ENDED,
  CLOSE_CONVERSATION_ENDED,
  CLOSE_REPLACED,
  CLOSE_SESSION_ENDED,
  HEARTBEAT_INTERVAL_MS,
  HEARTBEAT_PING,
  HEARTBEAT_PONG,
} from "../../../protocol/wire";

export type SocketState = "connecting" | "open" | "offline";

/**
 * What the server ended for good when it closed a socket with an application code.
 * An account ending without a known reason (older servers) has `reason: null`.
 */
export type SocketEnding =
  | { kind: "account"; reason: AccountEndReason | null }
  | { kind: "session" }
  /** `reason` names why a group ended for this person: `removed` or `left`. */
  | { kind: "conversation"; reason?: string }
  /** Too many sockets of this user here: this one, the oldest, gave way. */
  | { kind: "replaced" };

/** An ending that signs the person out. */
export type SessionEnding = Extract<SocketEnding, { kind: "account" | "session" }>;

/** The ending a close code announces, or null for a close worth reconnecting after. */
export function endingOf(code: number, reason: string): SocketEnding | null {
  if (code === CLOSE_SESSION_ENDED) return { kind: "session" };
  if (code === CLOSE_CONVERSATION_ENDED) return reason ? { kind: "conversation", reason } : { kind: "conversation" };
  if (code === CLOSE_REPLACED) return { kind: "replaced" };
  if (code !== CLOSE_ACCOUNT_ENDED) return null;
  const known = (ACCOUNT_END_REASONS as readonly string[]).includes(reason);
  return { kind: "account", reason: known ? (reason as AccountEndReason) : null };
}

export interface ManagedSocketHandlers {
  /** A text frame other than the heartbeat answer. */
  onFrame(text: string): void;
  onState(state: SocketState): void;
  /** Called with the close code and reason; return false to stop reconnecting. */
  onClose?(code: number, reason: string, wasOpen: boolean): boolean;
}

const BACKOFF_BASE_MS = 500;
const BACKOFF_MAX_MS = 30_000;
/** A socket that lived this long was a success: the next drop starts the backoff afresh. */
const STABLE_MS = 10_000;

/** The ws: or wss: URL of an API path on this origin. */
export function socketUrl(path: string): string {
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  return `${scheme}//${location.host}${path}`;
}

/** Exponential backoff with jitter: half fixed, half random, so clients do not reconnect in step. */
export function backoffDelay(attempt: number): number {
  const ceiling = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** attempt);
  return ceiling / 2 + Math.random() * (ceiling / 2);
}

/**
 * One WebSocket that stays connected: heartbeats, reconnects with backoff, and reacts to the
 * browser going offline or the tab coming back.
 */
export class ManagedSocket {
  private socket: WebSocket | null = null;
  private attempt = 0;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private heartbeatTimer: ReturnType<typeof setInterval> | undefined;
  private openedAt = 0;
  /** A ping went out and nothing has come back since. */
  private awaitingPong = false;
  private stopped = false;
  private state: SocketState = "connecting";

  constructor(
    private readonly path: string,
    private readonly handlers: ManagedSocketHandlers,
  ) {
    addEventListener("online", this.reconnectNow);
    addEventListener("offline", this.wentOffline);
    document.addEventListener("visibilitychange", this.onVisibility);
    this.connect();
  }

  get isOpen(): boolean {
    return this.socket?.readyState === WebSocket.OPEN;
  }

  /** Sends a JSON frame; false when the socket is not open (the caller keeps it for later). */
  send(frame: object): boolean {
    if (!this.isOpen) return false;
    this.socket!.send(JSON.stringify(frame));
    return true;
  }

  close(): void {
    this.stopped = true;
    removeEventListener("online", this.reconnectNow);
    removeEventListener("offline", this.wentOffline);
    document.removeEventListener("visibilitychange", this.onVisibility);
    clearTimeout(this.retryTimer);
    this.dropSocket();
  }

  private connect(): void {
    if (this.stopped) return;
    clearTimeout(this.retryTimer);
    this.setState(navigator.onLine ? "connecting" : "offline");
    const socket = new WebSocket(socketUrl(this.path));
    this.socket = socket;
    let openedAt = 0;
    socket.onopen = () => {
      openedAt = this.openedAt = Date.now();
      this.awaitingPong = false;
      this.startHeartbeat();
      this.setState("open");
    };
    socket.onmessage = (event) => {
      this.awaitingPong = false;
      if (typeof event.data !== "string" || event.data === HEARTBEAT_PONG) return;
      this.handlers.onFrame(event.data);
    };
    socket.onclose = (event) => {
      if (this.socket !== socket) return;
      this.dropSocket();
      if (this.handlers.onClose?.(event.code, event.reason, openedAt > 0) === false) {
        this.close();
        this.setState("offline");
        return;
      }
      this.scheduleRetry();
    };
  }

  private scheduleRetry(): void {
    if (this.stopped) return;
    // A server that accepts and then closes at once must not be hammered: only a socket that
    // lived a while counts as a success that restarts the backoff.
    if (this.openedAt > 0 && Date.now() - this.openedAt > STABLE_MS) this.attempt = 0;
    this.openedAt = 0;
    this.setState(navigator.onLine ? "connecting" : "offline");
    // Offline: wait for the "online" event instead of burning attempts.
    if (!navigator.onLine) return;
    this.retryTimer = setTimeout(() => this.connect(), backoffDelay(this.attempt));
    this.attempt += 1;
  }

  private startHeartbeat(): void {
    clearInterval(this.heartbeatTimer);
    // Judged per ping rather than by the clock: a hidden tab's timers may be slowed to once a minute.
    this.heartbeatTimer = setInterval(() => {
      if (this.awaitingPong) {
        // No answer to the last ping: a half-open connection, whose close could take long.
        this.dropSocket();
        this.scheduleRetry();
        return;
      }
      this.awaitingPong = true;
      this.socket?.send(HEARTBEAT_PING);
    }, HEARTBEAT_INTERVAL_MS);
  }

  private dropSocket(): void {
    clearInterval(this.heartbeatTimer);
    const socket = this.socket;
    this.socket = null;
    if (!socket) return;
    socket.onopen = socket.onmessage = socket.onclose = null;
    if (socket.readyState === WebSocket.OPEN || socket.readyState === WebSocket.CONNECTING) socket.close(1000);
  }

  private setState(state: SocketState): void {
    if (state === this.state) return;
    this.state = state;
    this.handlers.onState(state);
  }

  private readonly reconnectNow = (): void => {
    if (this.stopped || this.isOpen) return;
    this.attempt = 0;
    this.dropSocket();
    this.connect();
  };

  private readonly wentOffline = (): void => {
    if (this.stopped) return;
    this.dropSocket();
    clearTimeout(this.retryTimer);
    this.setState("offline");
  };

  private readonly onVisibility = (): void => {
    // A tab coming back should not wait out a long backoff.
    if (document.visibilityState === "visible" && !this.isOpen && !this.socket) this.reconnectNow();
  };
}

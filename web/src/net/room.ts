import type { ServerMessage } from "../../../protocol/wire";
import { CLOSE_ACCOUNT_ENDED, parseServerMessage, WIRE_LIMITS } from "../../../protocol/wire";
import type { SocketState } from "./socket";
import { ManagedSocket } from "./socket";

export interface RoomHandlers {
  onFrame(frame: ServerMessage): void;
  onState(state: SocketState): void;
  /** The server refused or ended membership for good (account ended, removed). */
  onEnded(): void;
}

/** The room refused a send for now: wait, then send it again (same id, so stored once). */
const RATE_LIMITED = "rate_limited";
const RATE_LIMIT_PAUSE_MS = 2_000;
/** A little under the room's own rate, so that network jitter never trips it. */
const SEND_INTERVAL_MS = 1_250 / WIRE_LIMITS.sendsPerSecond;

/** A fresh client message id: the shape protocol/wire.ts accepts. */
export function newMessageId(): string {
  return crypto.randomUUID().replaceAll("-", "");
}

/**
 * The socket of one open conversation. It owns the outbox: every send stays in it until the
 * server acknowledges it, and is sent again (same id, stored once) after each reconnect.
 * It resumes after the last seq it has seen so the server replays what was missed.
 */
export class RoomConnection {
  private readonly socket: ManagedSocket;
  private readonly outbox = new Map<string, string>();
  /** Ids waiting for a send token, in order. */
  private readonly queue: string[] = [];
  private tokens: number = WIRE_LIMITS.sendBurst;
  private refillTimer: ReturnType<typeof setInterval> | undefined;
  private pauseTimer: ReturnType<typeof setTimeout> | undefined;
  private ready = false;
  private resumed = false;
  private lastSeenSeq: number | null = null;
  private readSeq = 0;

  constructor(
    conversationId: string,
    private readonly handlers: RoomHandlers,
  ) {
    this.socket = new ManagedSocket(`/api/conversations/${encodeURIComponent(conversationId)}/ws`, {
      onFrame: (text) => this.receive(text),
      onState: (state) => {
        // An open socket counts as connected only once the room has said hello.
        if (state === "open") return;
        this.ready = false;
        handlers.onState(state);
      },
      onClose: (code) => {
        if (code !== CLOSE_ACCOUNT_ENDED) return true;
        handlers.onEnded();
        return false;
      },
    });
  }

  /**
   * The newest seq the caller already holds (from history). Until it is known, the room is not
   * asked to replay, so that a first page loaded over HTTP and the socket cannot leave a gap.
   */
  setBaseline(seq: number): void {
    if (this.lastSeenSeq === null || seq > this.lastSeenSeq) this.lastSeenSeq = seq;
    if (this.ready && !this.resumed) this.resume();
  }

  /** Queues a message; it is sent now if the socket is up, else once it is back. */
  send(id: string, body: string): void {
    if (this.outbox.has(id) && this.queue.includes(id)) return;
    this.outbox.set(id, body);
    this.enqueue(id);
  }

  /** How many sent or queued messages the server has not acknowledged yet. */
  get unacknowledged(): number {
    return this.outbox.size;
  }

  /** Drops a message from the outbox (it failed for good, or the person gave up on it). */
  forget(id: string): void {
    this.outbox.delete(id);
  }

  typing(on: boolean): void {
    if (this.ready) this.socket.send({ type: "typing", on });
  }

  /** Sent now, or on the next hello if the socket is down. */
  read(seq: number): void {
    this.readSeq = Math.max(this.readSeq, seq);
    if (this.ready) this.socket.send({ type: "read", seq: this.readSeq });
  }

  close(): void {
    clearInterval(this.refillTimer);
    clearTimeout(this.pauseTimer);
    this.socket.close();
  }

  private receive(text: string): void {
    const parsed = parseServerMessage(text);
    if (!parsed.ok) return;
    const frame = parsed.value;
    if (frame.type === "hello") this.onHello();
    if (frame.type === "message") this.noteSeq(frame.message.seq);
    if (frame.type === "ack") this.outbox.delete(frame.id);
    if (frame.type === "error" && frame.id && this.outbox.has(frame.id)) {
      if (frame.code === RATE_LIMITED) return this.pauseFor(frame.id);
      this.outbox.delete(frame.id);
    }
    this.handlers.onFrame(frame);
  }

  private onHello(): void {
    this.ready = true;
    this.handlers.onState("open");
    this.resumed = false;
    if (this.lastSeenSeq !== null) this.resume();
    if (this.readSeq > 0) this.socket.send({ type: "read", seq: this.readSeq });
    // Everything unacknowledged goes again, in its original order.
    this.queue.length = 0;
    for (const id of this.outbox.keys()) this.queue.push(id);
    this.drain();
  }

  private resume(): void {
    this.resumed = true;
    this.socket.send({ type: "resume", afterSeq: this.lastSeenSeq ?? 0 });
  }

  /** Only a resumed stream is gapless, so only it moves the resume point. */
  private noteSeq(seq: number): void {
    if (!this.resumed || this.lastSeenSeq === null || seq <= this.lastSeenSeq) return;
    this.lastSeenSeq = seq;
  }

  /** Puts a refused message back at the head of the queue and holds all sends for a while. */
  private pauseFor(id: string): void {
    if (!this.queue.includes(id)) this.queue.unshift(id);
    this.tokens = 0;
    clearInterval(this.refillTimer);
    this.refillTimer = undefined;
    clearTimeout(this.pauseTimer);
    this.pauseTimer = setTimeout(() => {
      this.pauseTimer = undefined;
      this.tokens = 1;
      this.drain();
    }, RATE_LIMIT_PAUSE_MS);
  }

  private enqueue(id: string): void {
    if (!this.outbox.has(id) || this.queue.includes(id)) return;
    this.queue.push(id);
    this.drain();
  }

  /** Sends queued messages within the server's rate (a token bucket like the room's). */
  private drain(): void {
    if (this.pauseTimer !== undefined) return;
    while (this.ready && this.tokens >= 1 && this.queue.length > 0) {
      const id = this.queue.shift()!;
      const body = this.outbox.get(id);
      if (body === undefined) continue;
      if (!this.socket.send({ type: "send", id, body })) {
        this.queue.unshift(id);
        return;
      }
      this.tokens -= 1;
    }
    this.startRefill();
  }

  private startRefill(): void {
    if (this.refillTimer !== undefined || this.tokens >= WIRE_LIMITS.sendBurst) return;
    this.refillTimer = setInterval(() => {
      this.tokens = Math.min(WIRE_LIMITS.sendBurst, this.tokens + 1);
      if (this.tokens >= WIRE_LIMITS.sendBurst) {
        clearInterval(this.refillTimer);
        this.refillTimer = undefined;
      }
      this.drain();
    }, SEND_INTERVAL_MS);
  }
}

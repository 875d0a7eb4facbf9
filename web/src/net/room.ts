import { batch, effect } from "@preact/signals";
import type { FrameErrorCode } from "../../../protocol/errors";
import type { ServerMessage } from "../../../protocol/wire";
import { parseServerMessage } from "../../../protocol/wire";
import type { ConversationOutbox } from "../models/outbox";
import type { SocketEnding, SocketState } from "./socket";
import { endingOf, ManagedSocket } from "./socket";

export interface RoomHandlers {
  /** Every valid frame; an ack comes before its message leaves the outbox. */
  onFrame(frame: ServerMessage): void;
  onState(state: SocketState): void;
  /** The server ended the socket for good: the account, the session or the conversation. */
  onEnded(ending: SocketEnding): void;
  /** Sends are held back after a rate_limited refusal until this time (ms); null once one gets through. */
  onPaused?(until: number | null): void;
}

/** Sent and not yet answered, at most; the next goes when an answer comes back. */
export const SEND_WINDOW = 5;
/**
 * The room refused a send for now and said nothing of how long: wait this long (doubling while it
 * keeps refusing), then send it again. A refusal with `retryAfterMs` is waited out exactly.
 */
export const RATE_LIMIT_PAUSE_MS = 1_000;
const RATE_LIMIT_PAUSE_MAX_MS = 30_000;
const RATE_LIMITED: FrameErrorCode = "rate_limited";

/**
 * The socket of one conversation. It drains the conversation's outbox: each waiting message
 * is sent with its own id (so a resend is stored once), at most SEND_WINDOW of them unanswered
 * at a time, and all unanswered ones again after a reconnect. It resumes after the last seq it
 * has seen so the server replays what was missed.
 */
export class RoomConnection {
  private readonly socket: ManagedSocket;
  /** Ids sent on the current socket and not answered yet. */
  private readonly inFlight = new Set<string>();
  private readonly stopDraining: () => void;
  private pauseTimer: ReturnType<typeof setTimeout> | undefined;
  /** When the current pause ends (ms), while one is on. */
  private pausedUntil = 0;
  /** The next guess, for a refusal that does not say how long. */
  private pauseMs = RATE_LIMIT_PAUSE_MS;
  /** A pause was announced and no send has got through since. */
  private paused = false;
  /**
   * Unanswered sends allowed at once: one at a time after a rate_limited refusal, until the
   * outbox is empty, since with several in flight a refused one could land after a later one.
   */
  private window = SEND_WINDOW;
  private ready = false;
  private resumed = false;
  private lastSeenSeq: number | null = null;
  /** Between a `resume` and its last `replayed` page; the newest live seq seen meanwhile. */
  private replaying = false;
  private liveSeqDuringReplay = 0;
  private readSeq = 0;

  constructor(
    conversationId: string,
    private readonly outbox: ConversationOutbox,
    private readonly handlers: RoomHandlers,
  ) {
    this.socket = new ManagedSocket(`/api/conversations/${encodeURIComponent(conversationId)}/ws`, {
      onFrame: (text) => this.receive(text),
      onState: (state) => {
        // An open socket counts as connected only once the room has said hello.
        if (state === "open") return;
        this.ready = false;
        // Whatever went unanswered on this socket goes again, in order, on the next one.
        this.inFlight.clear();
        handlers.onState(state);
      },
      onClose: (code, reason) => {
        const ending = endingOf(code, reason);
        if (!ending) return true;
        // Older servers closed a removed conversation's sockets with the account code and no account reason.
        handlers.onEnded(ending.kind === "account" && ending.reason === null ? { kind: "conversation" } : ending);
        return false;
      },
    });
    // Each change to the outbox (a new message, an ack, a retry) may let the next one go.
    this.stopDraining = effect(() => {
      void outbox.pending.value;
      this.drain();
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

  typing(on: boolean): void {
    if (this.ready) this.socket.send({ type: "typing", on });
  }

  /** Deletes one of the person's own messages for everyone; false when the socket is down. */
  delete(seq: number): boolean {
    return this.ready && this.socket.send({ type: "delete", seq });
  }

  /** Sent now, or on the next hello if the socket is down. */
  read(seq: number): void {
    this.readSeq = Math.max(this.readSeq, seq);
    if (this.ready) this.socket.send({ type: "read", seq: this.readSeq });
  }

  close(): void {
    this.stopDraining();
    clearTimeout(this.pauseTimer);
    this.pauseTimer = undefined;
    this.socket.close();
  }

  private receive(text: string): void {
    const parsed = parseServerMessage(text);
    if (!parsed.ok) return;
    const frame = parsed.value;
    switch (frame.type) {
      case "hello":
        this.onHello();
        break;
      case "message":
        // While pages are still coming, a live message must not move the resume point past them.
        if (this.replaying) this.liveSeqDuringReplay = Math.max(this.liveSeqDuringReplay, frame.message.seq);
        else this.noteSeq(frame.message.seq);
        break;
      case "replayed":
        // One page of the replay: the rest comes after asking again from where it stopped.
        this.noteSeq(frame.throughSeq);
        if (frame.more && this.resumed) {
          this.resume();
          break;
        }
        this.replaying = false;
        this.noteSeq(this.liveSeqDuringReplay);
        break;
      case "ack":
        this.inFlight.delete(frame.id);
        // Said over only once a send gets through, so the notice does not flicker between retries.
        if (this.paused) this.handlers.onPaused?.(null);
        this.paused = false;
        this.pauseMs = RATE_LIMIT_PAUSE_MS;
        // One update: the stored copy appears as the unsent one leaves.
        batch(() => {
          this.handlers.onFrame(frame);
          this.outbox.acknowledge(frame.id);
        });
        return;
      case "error":
        if (frame.id === undefined || !this.isOurs(frame.id)) break;
        this.inFlight.delete(frame.id);
        // Not a failure: the same id goes again after a pause.
        if (frame.code === RATE_LIMITED) {
          this.window = 1;
          return this.pause(frame.retryAfterMs);
        }
        this.outbox.fail(frame.id, frame.message);
        return;
    }
    this.handlers.onFrame(frame);
  }

  private isOurs(id: string): boolean {
    return this.inFlight.has(id) || this.outbox.pending.peek().some((message) => message.id === id);
  }

  private onHello(): void {
    this.ready = true;
    this.handlers.onState("open");
    this.resumed = false;
    this.replaying = false;
    this.liveSeqDuringReplay = 0;
    if (this.lastSeenSeq !== null) this.resume();
    if (this.readSeq > 0) this.socket.send({ type: "read", seq: this.readSeq });
    this.drain();
  }

  private resume(): void {
    this.resumed = true;
    this.replaying = true;
    this.socket.send({ type: "resume", afterSeq: this.lastSeenSeq ?? 0 });
  }

  /** Only a resumed stream is gapless, so only it moves the resume point. */
  private noteSeq(seq: number): void {
    if (!this.resumed || this.lastSeenSeq === null || seq <= this.lastSeenSeq) return;
    this.lastSeenSeq = seq;
  }

  /**
   * Holds every send until the room takes them again (as it said, else a doubling guess); then
   * the refused ones go again, in their order.
   */
  private pause(retryAfterMs: number | undefined): void {
    const guessed = retryAfterMs === undefined;
    if (guessed && this.pauseTimer !== undefined) return;
    const until = Date.now() + (guessed ? this.pauseMs : retryAfterMs);
    // Refusals of the sends already in flight name the same end: only a later one moves it.
    if (this.pauseTimer !== undefined && until <= this.pausedUntil) return;
    clearTimeout(this.pauseTimer);
    this.pausedUntil = until;
    this.paused = true;
    this.handlers.onPaused?.(until);
    this.pauseTimer = setTimeout(() => {
      this.pauseTimer = undefined;
      this.drain();
    }, until - Date.now());
    if (guessed) this.pauseMs = Math.min(RATE_LIMIT_PAUSE_MAX_MS, this.pauseMs * 2);
  }

  /** Sends waiting messages, oldest first, while fewer than SEND_WINDOW are unanswered. */
  private drain(): void {
    const pending = this.outbox.pending.peek();
    if (!pending.some((message) => message.status === "pending")) this.window = SEND_WINDOW;
    if (!this.ready || this.pauseTimer !== undefined) return;
    for (const message of pending) {
      if (this.inFlight.size >= this.window) return;
      if (message.status !== "pending" || this.inFlight.has(message.id)) continue;
      if (!this.socket.send({ type: "send", id: message.id, body: message.body })) return;
      this.inFlight.add(message.id);
    }
  }
}

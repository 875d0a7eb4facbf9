import { WIRE_LIMITS } from "../protocol/wire";
import { HUB_NOTICE_DELAY_MS, type HubNotices } from "./room-hub-notices";
import type { ConversationLog } from "./room-log";
import type { HibernatingSockets } from "./sockets";

/**
 * Who is typing and whose read cursor moved: transient signals, relayed within a budget and never
 * while the conversation is a request. Held in memory; hibernation only drops an indicator.
 */
export class TypingAndReceipts {
  /** Who is typing now. */
  private readonly typing = new Set<string>();
  /** When each user's typing state was last relayed: at most one relay a second per user. */
  private readonly typingRelayedAt = new Map<string, number>();
  /** Read cursors moved since they were last broadcast; the alarm relays the latest, coalesced. */
  private readonly readsToRelay = new Set<string>();

  constructor(
    private readonly conversation: ConversationLog,
    private readonly sockets: HibernatingSockets,
    private readonly hubs: HubNotices,
    /** Sets the room's `relay-reads` job no later than `due`. */
    private readonly scheduleRelayBy: (due: number) => void,
  ) {}

  /**
   * "Typing" is relayed at most once a second per user, so that the others' indicator stays up
   * while typing goes on; a stop is relayed whenever the user was shown typing.
   */
  typed(ws: WebSocket, userId: string, on: boolean, now: number): void {
    if (this.conversation.meta.pendingFrom()) return;
    if (!on) return this.stopped(ws, userId);
    if (now - (this.typingRelayedAt.get(userId) ?? 0) < WIRE_LIMITS.typingRelayMs) return;
    this.typing.add(userId);
    this.typingRelayedAt.set(userId, now);
    this.sockets.broadcast({ type: "typing", userId, on: true }, ws);
    this.hubs.typing(userId, true);
  }

  /** A message ends its sender's typing. */
  sent(ws: WebSocket, userId: string): void {
    this.typingRelayedAt.delete(userId);
    this.stopped(ws, userId);
  }

  /** A member's last socket left: the others stop seeing them type. */
  left(ws: WebSocket, userId: string): void {
    if (this.typing.delete(userId)) this.sockets.broadcast({ type: "typing", userId, on: false }, ws);
  }

  /** A member lost the room: nothing of theirs is relayed any more. */
  dropped(userId: string): void {
    this.typingRelayedAt.delete(userId);
    this.readsToRelay.delete(userId);
    if (this.typing.delete(userId)) this.sockets.broadcast({ type: "typing", userId, on: false });
  }

  /** The room was destroyed: nobody is typing. */
  clear(): void {
    this.typing.clear();
  }

  /** The cursor is stored at once; the others see the latest one, at most every HUB_NOTICE_DELAY_MS. */
  read(userId: string, seq: number, now: number): void {
    if (this.conversation.advanceRead(userId, seq) === null) return;
    this.readsToRelay.add(userId);
    // The reader's hub catches up when they leave the chat.
    this.scheduleRelayBy(now + HUB_NOTICE_DELAY_MS);
  }

  /** The alarm's job: each moved cursor once, at its latest. */
  relayReads(): void {
    // Receipts wait for acceptance; the cursors are kept, and hello carries them afterwards.
    if (this.conversation.meta.pendingFrom()) return this.readsToRelay.clear();
    const cursors = this.conversation.members.readCursors();
    for (const userId of this.readsToRelay) {
      const seq = cursors[userId];
      if (seq !== undefined) this.sockets.broadcast({ type: "read", userId, seq });
    }
    this.readsToRelay.clear();
  }

  private stopped(ws: WebSocket, userId: string): void {
    if (!this.typing.delete(userId)) return;
    this.sockets.broadcast({ type: "typing", userId, on: false }, ws);
    this.hubs.typing(userId, false);
  }
}

import type { Message } from "../../../protocol/api";
import type { OutgoingMessage } from "./outbox";

/** A message as the chat shows it: ours stay "pending" (or "failed") until the room stores them. */
export interface ChatMessage extends Omit<Message, "seq"> {
  seq: number | null;
  status: "pending" | "sent" | "failed";
  error?: string;
}

/** Stored messages by seq, then the unacknowledged ones in the order they were written. */
function bySeq(a: ChatMessage, b: ChatMessage): number {
  if (a.seq === null || b.seq === null) return a.seq === null ? (b.seq === null ? 0 : 1) : -1;
  return a.seq - b.seq;
}

/**
 * Adds messages from any source (history, live, replay after resume) without duplicates:
 * the client id identifies a message, and a stored copy replaces our pending one.
 * Returns the same array when nothing changed, so signals stay quiet.
 */
export function mergeMessages(current: ChatMessage[], incoming: Message[]): ChatMessage[] {
  const byId = new Map(current.map((message) => [message.id, message]));
  const seqs = new Set(current.map((message) => message.seq));
  let changed = false;
  for (const message of incoming) {
    const existing = byId.get(message.id);
    if (existing?.status === "sent" && existing.sentAt === message.sentAt && existing.deleted === message.deleted) {
      continue;
    }
    if (!existing && seqs.has(message.seq)) continue;
    byId.set(message.id, { ...message, status: "sent" });
    seqs.add(message.seq);
    changed = true;
  }
  return changed ? [...byId.values()].sort(bySeq) : current;
}

/**
 * What the chat shows: the stored messages by seq, then the person's unsent ones in the order
 * written. An unsent message the server already stored (its ack and the outbox crossed) shows once.
 */
export function timeline(
  stored: ChatMessage[],
  unsent: readonly OutgoingMessage[],
  conversationId: string,
  senderId: string,
): ChatMessage[] {
  if (unsent.length === 0) return stored;
  const storedIds = new Set(stored.map((message) => message.id));
  const waiting = unsent
    .filter((message) => !storedIds.has(message.id))
    .map(
      (message): ChatMessage => ({
        id: message.id,
        seq: null,
        conversationId,
        senderId,
        body: message.body,
        sentAt: message.createdAt,
        status: message.status,
        error: message.error,
      }),
    );
  return waiting.length === 0 ? stored : [...stored, ...waiting];
}

/** The message deleted for everyone: it keeps its place, without its body. */
export function markDeleted(current: ChatMessage[], seq: number): ChatMessage[] {
  if (!current.some((message) => message.seq === seq && !message.deleted)) return current;
  return current.map((message) => (message.seq === seq ? { ...message, body: "", deleted: true } : message));
}

/** The first of the last `unread` messages from others: where the "New messages" divider goes. */
export function firstUnread(messages: readonly ChatMessage[], me: string, unread: number): string | null {
  if (unread <= 0) return null;
  const theirs = messages.filter((message) => message.senderId !== me && message.seq !== null);
  return theirs.at(-Math.min(unread, theirs.length))?.id ?? null;
}

/** The local calendar day of a timestamp, for day separators. */
export function dayKey(iso: string): string {
  const date = new Date(iso);
  return `${date.getFullYear()}-${date.getMonth()}-${date.getDate()}`;
}

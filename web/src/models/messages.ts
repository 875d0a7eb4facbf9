import type { Message } from "../../../protocol/api";

/** A message as the chat shows it: ours stay "pending" until the room acknowledges them. */
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
    if (existing?.status === "sent" && existing.sentAt === message.sentAt) continue;
    if (!existing && seqs.has(message.seq)) continue;
    byId.set(message.id, { ...message, status: "sent" });
    seqs.add(message.seq);
    changed = true;
  }
  return changed ? [...byId.values()].sort(bySeq) : current;
}

/** Applies an ack: our pending message now has its place in the conversation. */
export function acknowledge(current: ChatMessage[], id: string, seq: number): ChatMessage[] {
  const index = current.findIndex((message) => message.id === id);
  if (index < 0 || current[index]!.seq !== null) return current;
  const next = current.slice();
  next[index] = { ...current[index]!, seq, status: "sent" };
  return next.sort(bySeq);
}

export function setStatus(
  current: ChatMessage[],
  id: string,
  status: ChatMessage["status"],
  error?: string,
): ChatMessage[] {
  return current.map((message) =>
    message.id === id && message.seq === null ? { ...message, status, error } : message,
  );
}

/** The local calendar day of a timestamp, for day separators. */
export function dayKey(iso: string): string {
  const date = new Date(iso);
  return `${date.getFullYear()}-${date.getMonth()}-${date.getDate()}`;
}

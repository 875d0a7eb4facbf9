import { LIFETIME_HOURS_MAX } from "../../../protocol/api";

/** A message the person wrote that the server has not acknowledged yet. */
export interface PendingMessage {
  id: string;
  body: string;
  createdAt: string;
  /** Why the server refused it (other than for rate): it waits for the person to retry or discard it. */
  error?: string;
}

/** The part of the Web Storage API the outbox uses: localStorage in the app, a Map in tests. */
export type StorageLike = Pick<Storage, "getItem" | "setItem" | "removeItem" | "key" | "length">;

const PREFIX = "chat.outbox.v1:";
/** Older than the longest account lifetime: its author's account has ended. */
const MAX_AGE_MS = LIFETIME_HOURS_MAX * 3_600_000;

function userPrefix(userId: string): string {
  return `${PREFIX}${encodeURIComponent(userId)}:`;
}

function keyOf(userId: string, conversationId: string): string {
  return userPrefix(userId) + encodeURIComponent(conversationId);
}

function isPending(value: unknown): value is PendingMessage {
  const item = value as Partial<PendingMessage> | null;
  return (
    typeof item?.id === "string" &&
    typeof item.body === "string" &&
    typeof item.createdAt === "string" &&
    (item.error === undefined || typeof item.error === "string")
  );
}

/**
 * Unacknowledged messages kept in Web Storage, one entry per user and conversation, so that
 * they outlive the chat that wrote them and the page itself. What cannot be read is ignored and
 * what cannot be written (quota, storage disabled) stays only in memory for this visit.
 */
export class OutboxStore {
  constructor(private readonly storage: StorageLike) {}

  /** The conversation's pending messages, oldest first. */
  list(userId: string, conversationId: string): PendingMessage[] {
    return this.read(keyOf(userId, conversationId));
  }

  /** Keeps a message until `remove`; saving the same id again replaces it in place. */
  save(userId: string, conversationId: string, message: PendingMessage): void {
    const list = this.list(userId, conversationId);
    const { id, body, createdAt, error } = message;
    const saved: PendingMessage = error === undefined ? { id, body, createdAt } : { id, body, createdAt, error };
    // Saving again keeps the message's place: a retried message still goes in the order written.
    const index = list.findIndex((item) => item.id === id);
    if (index < 0) list.push(saved);
    else list[index] = saved;
    this.write(keyOf(userId, conversationId), list);
  }

  /** Acknowledged by the server, or discarded by the person. */
  remove(userId: string, conversationId: string, id: string): void {
    const list = this.list(userId, conversationId);
    const rest = list.filter((item) => item.id !== id);
    if (rest.length !== list.length) this.write(keyOf(userId, conversationId), rest);
  }

  /** The conversations in which the user has messages waiting. */
  conversations(userId: string): string[] {
    const prefix = userPrefix(userId);
    return this.keys()
      .filter((key) => key.startsWith(prefix) && this.read(key).length > 0)
      .map((key) => decodeURIComponent(key.slice(prefix.length)));
  }

  /** Forgets one conversation's messages: it no longer exists. */
  drop(userId: string, conversationId: string): void {
    this.removeKey(keyOf(userId, conversationId));
  }

  /** Forgets everything the user left unsent: they logged out or their account ended. */
  clear(userId: string): void {
    const prefix = userPrefix(userId);
    for (const key of this.keys()) if (key.startsWith(prefix)) this.removeKey(key);
  }

  /** Removes messages of any user written longer ago than any account lives. */
  prune(now: number, maxAgeMs = MAX_AGE_MS): void {
    for (const key of this.keys()) {
      const list = this.read(key);
      const kept = list.filter((item) => now - Date.parse(item.createdAt) <= maxAgeMs);
      if (kept.length !== list.length) this.write(key, kept);
    }
  }

  private keys(): string[] {
    const keys: string[] = [];
    try {
      for (let index = 0; index < this.storage.length; index += 1) {
        const key = this.storage.key(index);
        if (key?.startsWith(PREFIX)) keys.push(key);
      }
    } catch {
      // Storage that cannot be read holds nothing for us.
    }
    return keys;
  }

  private read(key: string): PendingMessage[] {
    try {
      const parsed: unknown = JSON.parse(this.storage.getItem(key) ?? "[]");
      return Array.isArray(parsed) ? parsed.filter(isPending) : [];
    } catch {
      return [];
    }
  }

  private write(key: string, list: PendingMessage[]): void {
    if (list.length === 0) return this.removeKey(key);
    try {
      this.storage.setItem(key, JSON.stringify(list));
    } catch {
      // Full or disabled: the message is still in the open chat's memory for this visit.
    }
  }

  private removeKey(key: string): void {
    try {
      this.storage.removeItem(key);
    } catch {
      // Nothing more can be done about storage that refuses.
    }
  }
}

/** localStorage when the browser lets the page use it, else a store that keeps nothing. */
export function browserStorage(): StorageLike {
  try {
    if (typeof localStorage !== "undefined" && localStorage !== null) return localStorage;
  } catch {
    // Access itself throws where storage is disabled.
  }
  return { length: 0, key: () => null, getItem: () => null, setItem: () => {}, removeItem: () => {} };
}

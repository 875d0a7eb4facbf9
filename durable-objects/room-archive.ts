import type { Message } from "../protocol/api";
import { log } from "../server/log";
import { ARCHIVE_BATCH_MAX, type ArchivedMessage, type Store } from "../server/ports/store";
import type { ConversationLog } from "./room-log";

/** Messages wait this long before their flush, so a busy conversation writes one batch, not one per message. */
export const ARCHIVE_DELAY_MS = 1_000;
/** Batches written per alarm at most; a longer backlog continues on the next alarm. */
const BATCHES_PER_FLUSH = 4;
const RETRY_MIN_MS = 1_000;
const RETRY_MAX_MS = 60_000;

export type FlushOutcome =
  /** Everything committed is archived. */
  | { state: "done"; written: number }
  /** Batches landed, more remain: run again soon. */
  | { state: "more"; written: number }
  /** The Store did not take a batch: the watermark stays, retry after `retryInMs`. */
  | { state: "failed"; written: number; retryInMs: number };

/**
 * Copies a room's committed messages to the Store's archive, after the room's watermark
 * (`archived_through_seq`). Messages are append-only, so the watermark says everything: a batch
 * is written idempotently (its ids derive from conversation and seq) and the watermark moves only
 * after the Store acknowledged it. A lost answer means the same batch again, stored once. A
 * message deleted once the archive may hold it is queued (`archive_deletions`) and written again,
 * empty, by the next flush.
 */
export class RoomArchive {
  private failures = 0;
  /** The flush under way, so that destroying the room can wait for it (a late write would orphan messages). */
  private running: Promise<FlushOutcome> | null = null;

  constructor(
    private readonly log: ConversationLog,
    private readonly store: () => Pick<Store, "archiveMessages">,
  ) {}

  /** Nothing on the message path awaits this: the room's alarm calls it. */
  flush(): Promise<FlushOutcome> {
    const running = this.write().finally(() => {
      if (this.running === running) this.running = null;
    });
    this.running = running;
    return running;
  }

  /** Resolves once no flush is under way. */
  async settled(): Promise<void> {
    await this.running?.catch(() => undefined);
  }

  /**
   * A message was deleted for everyone. When the archive may hold its body (at or below the
   * watermark, or in a batch being written now), the deletion is queued for the next flush; true
   * then, and the caller schedules one. Synchronous: it joins the deletion's transaction.
   */
  deleted(seq: number): boolean {
    if (seq > this.log.meta.archivedThrough() && !this.running) return false;
    this.log.messages.queueArchiveDeletion(seq);
    return true;
  }

  private async write(): Promise<FlushOutcome> {
    const conversationId = this.log.meta.conversationId();
    if (!conversationId) return { state: "done", written: 0 };
    // Deletions first: a body the archive must no longer hold goes before anything new is copied.
    const deletions = this.log.messages.archiveDeletions(ARCHIVE_BATCH_MAX);
    if (deletions.length > 0) {
      if (!(await this.send(deletions))) return this.failed(0);
      if (this.log.meta.conversationId() !== conversationId) return { state: "more", written: 0 };
      this.log.messages.archiveDeletionsDone(deletions.map((message) => message.seq));
      if (deletions.length === ARCHIVE_BATCH_MAX) return { state: "more", written: 0 };
    }
    let written = 0;
    for (let round = 0; round < BATCHES_PER_FLUSH; round++) {
      const from = this.log.meta.archivedThrough();
      const batch = this.log.messages.after(from, ARCHIVE_BATCH_MAX);
      if (batch.length === 0) return { state: "done", written };
      if (!(await this.send(batch))) return this.failed(written);
      // The room may have been destroyed, or the watermark moved, while the write was in flight.
      if (this.log.meta.conversationId() !== conversationId || this.log.meta.archivedThrough() !== from) {
        return { state: "more", written };
      }
      this.log.meta.setArchivedThrough(batch[batch.length - 1]!.seq);
      written += batch.length;
      if (batch.length < ARCHIVE_BATCH_MAX) return { state: "done", written };
    }
    return { state: "more", written };
  }

  /** Writes one batch; false when the Store did not take it (counted for the backoff). */
  private async send(batch: Message[]): Promise<boolean> {
    const result = await this.store()
      .archiveMessages(batch.map(toArchived))
      .catch((error: unknown) => {
        log("warn", "archive_write_failed", {}, error);
        return { ok: false } as const;
      });
    this.failures = result.ok ? 0 : this.failures + 1;
    return result.ok;
  }

  private failed(written: number): FlushOutcome {
    const retryInMs = Math.min(RETRY_MAX_MS, RETRY_MIN_MS * 2 ** (this.failures - 1));
    return { state: "failed", written, retryInMs };
  }
}

function toArchived(message: Message): ArchivedMessage {
  return {
    conversationId: message.conversationId,
    seq: message.seq,
    id: message.id,
    senderId: message.senderId,
    body: message.body,
    sentAt: Date.parse(message.sentAt),
    ...(message.deleted ? { deleted: true as const } : {}),
  };
}

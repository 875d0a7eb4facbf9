import type { ReadonlySignal } from "@preact/signals";
import { signal } from "@preact/signals";

/** A peer's "typing" stops showing this long after their last "on": they re-send it every few seconds. */
export const TYPING_STALE_MS = 4_000;
/** While the person keeps typing, "on" goes again this often (the room relays it at most once a second). */
export const TYPING_RESEND_MS = 2_500;

/** Who is typing, by a key (a user in a chat, a conversation in the list); each "on" holds for a while. */
export class TypingTracker {
  private readonly timers = new Map<string, ReturnType<typeof setTimeout>>();
  private readonly typing = signal<ReadonlySet<string>>(new Set());
  readonly active: ReadonlySignal<ReadonlySet<string>> = this.typing;

  note(key: string, on: boolean): void {
    clearTimeout(this.timers.get(key));
    this.timers.delete(key);
    if (on)
      this.timers.set(
        key,
        setTimeout(() => this.note(key, false), TYPING_STALE_MS),
      );
    if (on === this.typing.peek().has(key)) return;
    const next = new Set(this.typing.peek());
    if (on) next.add(key);
    else next.delete(key);
    this.typing.value = next;
  }

  clear(): void {
    for (const key of [...this.timers.keys()]) this.note(key, false);
  }
}

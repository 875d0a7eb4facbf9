import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { TYPING_STALE_MS, TypingTracker } from "./typing";

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe("a peer's typing indicator", () => {
  it("stays up while 'on' keeps coming, however long the typing goes on", () => {
    const tracker = new TypingTracker();
    for (let second = 0; second < 12; second += 2) {
      tracker.note("bea", true);
      vi.advanceTimersByTime(2_000);
      expect(tracker.active.value.has("bea")).toBe(true);
    }
  });

  it(`goes ${TYPING_STALE_MS / 1000} s after the last 'on' when no stop comes`, () => {
    const tracker = new TypingTracker();
    tracker.note("bea", true);
    vi.advanceTimersByTime(TYPING_STALE_MS - 1);
    expect(tracker.active.value.has("bea")).toBe(true);
    vi.advanceTimersByTime(1);
    expect(tracker.active.value.has("bea")).toBe(false);
  });

  it("goes at once on a stop, and keeps each key apart", () => {
    const tracker = new TypingTracker();
    tracker.note("c1", true);
    tracker.note("c2", true);
    tracker.note("c1", false);
    expect([...tracker.active.value]).toEqual(["c2"]);
    tracker.clear();
    expect(tracker.active.value.size).toBe(0);
  });
});

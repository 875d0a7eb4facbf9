import { afterEach, describe, expect, it, vi } from "vitest";
import { backoffDelay } from "./socket";

afterEach(() => {
  vi.restoreAllMocks();
});

/** The delay with the random half at its lowest and at its highest. */
function bounds(attempt: number): [number, number] {
  vi.spyOn(Math, "random").mockReturnValue(0);
  const low = backoffDelay(attempt);
  vi.spyOn(Math, "random").mockReturnValue(1 - Number.EPSILON);
  const high = backoffDelay(attempt);
  return [low, high];
}

describe("the reconnect backoff", () => {
  it("waits between a quarter and half a second before the first retry", () => {
    const [low, high] = bounds(0);
    expect(low).toBe(250);
    expect(high).toBeGreaterThan(499);
    expect(high).toBeLessThan(500);
  });

  it("doubles with each failed attempt", () => {
    expect(bounds(1)[0]).toBe(500);
    expect(bounds(2)[0]).toBe(1_000);
    expect(bounds(3)[0]).toBe(2_000);
  });

  it("stops growing at 30 seconds, even after very many attempts", () => {
    for (const attempt of [6, 10, 100, 5_000]) {
      const [low, high] = bounds(attempt);
      expect(low).toBe(15_000);
      expect(high).toBeLessThan(30_000);
    }
  });

  it("spreads clients out: the delay is random within its bounds", () => {
    const delays = Array.from({ length: 200 }, () => backoffDelay(4));
    expect(Math.min(...delays)).toBeGreaterThanOrEqual(4_000);
    expect(Math.max(...delays)).toBeLessThan(8_000);
    expect(new Set(delays).size).toBeGreaterThan(1);
  });
});

import { describe, expect, it } from "vitest";
import { Outage } from "./outage";

const RETRY_AFTER_MS = 5_000;

/** An outage record on a clock the test moves, with its log lines collected. */
function outage() {
  const clock = { now: 1_000_000 };
  const logged: string[] = [];
  const record = new Outage(
    "MongoDB",
    { retryAfterMs: RETRY_AFTER_MS, logIntervalMs: 60_000, meanwhile: "changes answer 503" },
    () => clock.now,
    (message) => logged.push(message),
  );
  return { record, clock, logged };
}

describe("Outage", () => {
  it("lets every caller through while nothing failed", () => {
    const { record } = outage();
    expect([record.shouldSkip(), record.shouldSkip(), record.shouldSkip()]).toEqual([false, false, false]);
  });

  it("skips the service for the window after a failure, and logs what the app does meanwhile", () => {
    const { record, clock, logged } = outage();
    record.failed(new Error("server selection timed out"));
    expect(record.shouldSkip()).toBe(true);
    clock.now += RETRY_AFTER_MS - 1;
    expect(record.shouldSkip()).toBe(true);
    expect(logged).toEqual(["MongoDB unavailable (1 failure(s) since last logged); changes answer 503"]);
  });

  it("lets one caller probe once the window has passed, and the others skip until it answers", () => {
    const { record, clock } = outage();
    record.failed(new Error("down"));
    clock.now += RETRY_AFTER_MS;
    expect(record.shouldSkip()).toBe(false);
    expect(record.shouldSkip()).toBe(true);
    expect(record.shouldSkip()).toBe(true);
    record.recovered();
    expect([record.shouldSkip(), record.shouldSkip()]).toEqual([false, false]);
  });

  it("opens a new window when the probe fails", () => {
    const { record, clock } = outage();
    record.failed(new Error("down"));
    clock.now += RETRY_AFTER_MS;
    expect(record.shouldSkip()).toBe(false);
    clock.now += 2_500;
    record.failed(new Error("still down"));
    clock.now += RETRY_AFTER_MS - 1;
    expect(record.shouldSkip()).toBe(true);
    clock.now += 1;
    expect(record.shouldSkip()).toBe(false);
  });

  it("tries again after a window when the probe never says how it went", () => {
    const { record, clock } = outage();
    record.failed(new Error("down"));
    clock.now += RETRY_AFTER_MS;
    expect(record.shouldSkip()).toBe(false);
    clock.now += RETRY_AFTER_MS;
    expect(record.shouldSkip()).toBe(false);
  });
});

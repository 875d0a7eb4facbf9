import { describe, expect, it, vi } from "vitest";
import { formatDay, formatLastSeen, formatTimeLeft, formatWait, formatWhen } from "./format";

/** A local time, as the person's clock shows it. */
const at = (year: number, month: number, day: number, hour = 12, minute = 0) =>
  new Date(year, month - 1, day, hour, minute);
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

describe("the day separator", () => {
  const now = at(2025, 3, 12, 9, 30);

  it("says Today for any time of the current day", () => {
    expect(formatDay(at(2025, 3, 12, 0, 0).toISOString(), now)).toBe("Today");
    expect(formatDay(at(2025, 3, 12, 23, 59).toISOString(), now)).toBe("Today");
  });

  it("says Yesterday for the day before, up to its last minute", () => {
    expect(formatDay(at(2025, 3, 11, 0, 0).toISOString(), now)).toBe("Yesterday");
    expect(formatDay(at(2025, 3, 11, 23, 59).toISOString(), now)).toBe("Yesterday");
  });

  it("says Today for a message stamped a little ahead of the local clock, just before midnight", () => {
    expect(formatDay(at(2025, 3, 13, 0, 0).toISOString(), at(2025, 3, 12, 23, 59))).toBe("Today");
  });

  it("names the date of an earlier day this year, without the year", () => {
    const date = at(2025, 1, 5);
    const label = formatDay(date.toISOString(), now);
    expect(label).toBe(
      new Intl.DateTimeFormat(undefined, { weekday: "long", day: "numeric", month: "long" }).format(date),
    );
    expect(label).not.toContain("2025");
  });

  it("adds the year for a day of another year", () => {
    expect(formatDay(at(2024, 12, 31).toISOString(), now)).toContain("2024");
  });

  it("counts calendar days across a daylight saving change, where a day has 23 or 25 hours", () => {
    try {
      for (const [zone, days] of [
        [
          "Europe/Berlin",
          [
            [3, 30],
            [10, 26],
          ],
        ],
        [
          "America/New_York",
          [
            [3, 9],
            [11, 2],
          ],
        ],
      ] as const) {
        vi.stubEnv("TZ", zone);
        for (const [month, day] of days) {
          expect(formatDay(at(2025, month, day, 0, 30).toISOString(), at(2025, month, day + 1, 23, 30))).toBe(
            "Yesterday",
          );
          expect(formatDay(at(2025, month, day, 0, 30).toISOString(), at(2025, month, day, 23, 30))).toBe("Today");
        }
      }
    } finally {
      vi.unstubAllEnvs();
    }
  });
});

describe("the time of a list preview", () => {
  const now = at(2025, 3, 12, 9, 30);

  it("is the hour for a message of today", () => {
    const date = at(2025, 3, 12, 8, 5);
    expect(formatWhen(date.toISOString(), now)).toBe(
      new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit" }).format(date),
    );
  });

  it("says Yesterday for a message of the day before", () => {
    expect(formatWhen(at(2025, 3, 11, 23, 59).toISOString(), now)).toBe("Yesterday");
  });

  it("is the date for a message of an earlier day", () => {
    const date = at(2025, 3, 10, 23, 59);
    expect(formatWhen(date.toISOString(), now)).toBe(
      new Intl.DateTimeFormat(undefined, { day: "numeric", month: "short" }).format(date),
    );
  });
});

describe("when an offline contact was last seen", () => {
  const now = at(2025, 3, 12, 9, 30);
  const seen = (date: Date) => formatLastSeen(date.toISOString(), now);

  it("says just now under a minute, then whole minutes under an hour", () => {
    expect(seen(new Date(now.getTime() - 40_000))).toBe("last seen just now");
    expect(seen(new Date(now.getTime() - 5 * MINUTE - 30_000))).toBe("last seen 5 min ago");
  });

  it("counts hours the same day, then says yesterday with the time, then the date", () => {
    expect(seen(new Date(now.getTime() - 2 * HOUR))).toBe("last seen 2 h ago");
    const yesterday = at(2025, 3, 11, 21, 4);
    const time = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit" }).format(yesterday);
    expect(seen(yesterday)).toBe(`last seen yesterday at ${time}`);
    expect(seen(at(2025, 3, 1))).toMatch(/^last seen on /);
  });
});

describe("a wait in words (Retry-After)", () => {
  it("rounds up to whole seconds, minutes or hours", () => {
    expect(formatWait(1)).toBe("1 second");
    expect(formatWait(30)).toBe("30 seconds");
    expect(formatWait(60)).toBe("1 minute");
    expect(formatWait(592)).toBe("10 minutes");
    expect(formatWait(7200)).toBe("2 hours");
  });
});

describe("the account's time left", () => {
  it("says the account expired at or after its end", () => {
    expect(formatTimeLeft(0)).toBe("Account expired");
    expect(formatTimeLeft(-5 * MINUTE)).toBe("Account expired");
  });

  it("says under a minute for the last seconds", () => {
    expect(formatTimeLeft(1)).toBe("under a minute left");
    expect(formatTimeLeft(MINUTE - 1)).toBe("under a minute left");
  });

  it("counts whole minutes below an hour, rounding down", () => {
    expect(formatTimeLeft(MINUTE)).toBe("1 min left");
    expect(formatTimeLeft(12 * MINUTE + 59_999)).toBe("12 min left");
  });

  it("counts hours and minutes below a day", () => {
    expect(formatTimeLeft(HOUR)).toBe("1 h 0 min left");
    expect(formatTimeLeft(5 * HOUR + 12 * MINUTE)).toBe("5 h 12 min left");
    expect(formatTimeLeft(DAY - 1)).toBe("23 h 59 min left");
  });

  it("counts days and hours from a day on", () => {
    expect(formatTimeLeft(DAY)).toBe("1 d 0 h left");
    expect(formatTimeLeft(2 * DAY + 3 * HOUR + 59 * MINUTE)).toBe("2 d 3 h left");
    expect(formatTimeLeft(2 * DAY - 1)).toBe("1 d 23 h left");
    expect(formatTimeLeft(7 * DAY)).toBe("7 d 0 h left");
  });
});

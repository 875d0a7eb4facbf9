import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { AlarmScheduler, RETRY_MAX_MS, RETRY_MIN_MS } from "./scheduler";

type TestJob = "flush" | "notice";

/** Far enough ahead that the object's own alarm never fires while a test runs: `runDue` is driven by hand. */
const LATER = 60 * 60_000;

/** A scheduler on the real storage of a fresh SQLite-backed object (a room; its own jobs are never due here). */
function withScheduler(
  test: (scheduler: AlarmScheduler<TestJob>, storage: DurableObjectStorage, at: number) => Promise<void>,
): Promise<void> {
  const stub = env.ROOMS.get(env.ROOMS.idFromName(crypto.randomUUID()));
  return runInDurableObject(stub, (_room, state) =>
    test(new AlarmScheduler<TestJob>(state.storage), state.storage, Date.now() + LATER),
  );
}

function dueOf(storage: DurableObjectStorage, job: TestJob): number | undefined {
  return storage.sql.exec<{ due: number }>("SELECT due FROM alarm_jobs WHERE job = ?", job).toArray()[0]?.due;
}

function stored(storage: DurableObjectStorage, job: TestJob): { due: number; attempts: number } | undefined {
  return storage.sql
    .exec<{ due: number; attempts: number }>("SELECT due, attempts FROM alarm_jobs WHERE job = ?", job)
    .toArray()[0];
}

describe("AlarmScheduler", () => {
  it("keeps a job that throws due after a backoff, rethrows, and removes it once a later run succeeds", () =>
    withScheduler(async (scheduler, storage, at) => {
      scheduler.atOrBefore("flush", at);
      const runs: number[] = [];
      const failOnce = (now: number) => () => {
        runs.push(now);
        if (runs.length === 1) throw new Error("store down");
      };

      await expect(scheduler.runDue(at, failOnce(at))).rejects.toThrow("store down");
      expect(dueOf(storage, "flush")).toBe(at + RETRY_MIN_MS);
      expect(await storage.getAlarm()).toBe(at + RETRY_MIN_MS);

      // Not due before its backoff is over; due after it.
      await scheduler.runDue(at + RETRY_MIN_MS - 1, failOnce(at + RETRY_MIN_MS - 1));
      expect(runs).toEqual([at]);
      await scheduler.runDue(at + RETRY_MIN_MS, failOnce(at + RETRY_MIN_MS));
      expect(runs).toEqual([at, at + RETRY_MIN_MS]);
      expect(dueOf(storage, "flush")).toBeUndefined();
    }));

  it("doubles the backoff with each failure in a row up to its cap, and a success starts it over", () =>
    withScheduler(async (scheduler, storage, at) => {
      const fail = () => {
        throw new Error("still down");
      };
      scheduler.atOrBefore("flush", at);
      const waits: number[] = [];
      for (let now = at, attempt = 0; attempt < 10; attempt++) {
        await expect(scheduler.runDue(now, fail)).rejects.toThrow("still down");
        const due = dueOf(storage, "flush") ?? Number.NaN;
        waits.push(due - now);
        now = due;
      }
      expect(waits.slice(0, 3)).toEqual([RETRY_MIN_MS, 2 * RETRY_MIN_MS, 4 * RETRY_MIN_MS]);
      expect(waits.every((wait, i) => i === 0 || wait >= (waits[i - 1] ?? 0))).toBe(true);
      expect(waits.at(-1)).toBe(RETRY_MAX_MS);
      expect(stored(storage, "flush")?.attempts).toBe(10);

      // Asked for again while it succeeds: it stays, with its failures forgotten.
      const now = dueOf(storage, "flush") ?? Number.NaN;
      await scheduler.runDue(now, () => scheduler.atOrBefore("flush", now + 1));
      expect(stored(storage, "flush")).toEqual({ due: now + 1, attempts: 0 });
      await expect(scheduler.runDue(now + 1, fail)).rejects.toThrow("still down");
      expect(stored(storage, "flush")).toEqual({ due: now + 1 + RETRY_MIN_MS, attempts: 1 });
    }));

  it("runs every due job when one throws, and each key keeps its own schedule", () =>
    withScheduler(async (scheduler, storage, at) => {
      scheduler.atOrBefore("flush", at);
      scheduler.atOrBefore("notice", at);
      const ran: TestJob[] = [];
      await expect(
        scheduler.runDue(at, (job) => {
          ran.push(job);
          if (job === "flush") throw new Error("flush failed");
        }),
      ).rejects.toThrow("flush failed");
      expect(ran.sort()).toEqual(["flush", "notice"]);
      expect(dueOf(storage, "flush")).toBe(at + RETRY_MIN_MS);
      expect(dueOf(storage, "notice")).toBeUndefined();

      // Only the job that is due runs; the other keeps its time.
      scheduler.atOrBefore("notice", at + LATER);
      const flushDue = dueOf(storage, "flush") ?? Number.NaN;
      ran.length = 0;
      await scheduler.runDue(flushDue, (job) => {
        ran.push(job);
      });
      expect(ran).toEqual(["flush"]);
      expect(dueOf(storage, "notice")).toBe(at + LATER);
      expect(await storage.getAlarm()).toBe(at + LATER);
    }));

  it("throws every failure together when several jobs fail", () =>
    withScheduler(async (scheduler, storage, at) => {
      scheduler.atOrBefore("flush", at);
      scheduler.atOrBefore("notice", at);
      const failure = await scheduler
        .runDue(at, (job) => {
          throw new Error(`${job} failed`);
        })
        .catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(AggregateError);
      expect((failure as AggregateError).errors.map((error: Error) => error.message).sort()).toEqual([
        "flush failed",
        "notice failed",
      ]);
      expect([dueOf(storage, "flush"), dueOf(storage, "notice")]).toEqual([at + RETRY_MIN_MS, at + RETRY_MIN_MS]);
    }));

  it("keeps the earliest due time of a key, and sets the platform alarm to the earliest job", () =>
    withScheduler(async (scheduler, storage, at) => {
      scheduler.atOrBefore("flush", at + 2_000);
      scheduler.atOrBefore("flush", at + 1_000);
      scheduler.atOrBefore("flush", at + 3_000);
      expect(dueOf(storage, "flush")).toBe(at + 1_000);
      expect(await storage.getAlarm()).toBe(at + 1_000);
      // Another instance (after hibernation, say) has no memory of it: the stored time still wins.
      new AlarmScheduler<TestJob>(storage).atOrBefore("flush", at + 5_000);
      expect(dueOf(storage, "flush")).toBe(at + 1_000);

      scheduler.atOrBefore("notice", at + 500);
      expect(await storage.getAlarm()).toBe(at + 500);
    }));

  it("keeps a job that is asked for again while it runs, by itself or by another event during its awaits", () =>
    withScheduler(async (scheduler, storage, at) => {
      scheduler.atOrBefore("flush", at);
      await scheduler.runDue(at, () => scheduler.atOrBefore("flush", at + 5_000));
      expect(dueOf(storage, "flush")).toBe(at + 5_000);
      expect(await storage.getAlarm()).toBe(at + 5_000);
      // What this instance remembers of the job follows the run: an earlier time still wins.
      scheduler.atOrBefore("flush", at + 4_000);
      expect(dueOf(storage, "flush")).toBe(at + 4_000);

      let release = () => {};
      const awaited = new Promise<void>((resolve) => {
        release = resolve;
      });
      const running = scheduler.runDue(at + 4_000, () => awaited);
      // A message arrives while the job awaits the network.
      scheduler.atOrBefore("flush", at + 6_000);
      release();
      await running;
      expect(dueOf(storage, "flush")).toBe(at + 6_000);
    }));

  it("leaves the new schedule alone when the object was emptied while a job ran", () =>
    withScheduler(async (scheduler, storage, at) => {
      scheduler.atOrBefore("flush", at);
      await expect(
        scheduler.runDue(at, () => {
          storage.sql.exec("DROP TABLE alarm_jobs");
          scheduler.reset();
          scheduler.atOrBefore("flush", at + 7_000);
          throw new Error("gone");
        }),
      ).rejects.toThrow("gone");
      expect(stored(storage, "flush")).toEqual({ due: at + 7_000, attempts: 0 });
    }));

  it("counts attempts in a table made before it had that column", () =>
    withScheduler(async (_scheduler, storage, at) => {
      storage.sql.exec("DROP TABLE alarm_jobs");
      storage.sql.exec("CREATE TABLE alarm_jobs (job TEXT PRIMARY KEY, due INTEGER NOT NULL)");
      storage.sql.exec("INSERT INTO alarm_jobs (job, due) VALUES ('flush', ?)", at);
      const scheduler = new AlarmScheduler<TestJob>(storage);
      await expect(
        scheduler.runDue(at, () => {
          throw new Error("down");
        }),
      ).rejects.toThrow("down");
      expect(stored(storage, "flush")).toEqual({ due: at + RETRY_MIN_MS, attempts: 1 });
    }));
});

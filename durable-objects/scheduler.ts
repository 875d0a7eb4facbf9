import { log } from "../server/log";

/** A job that threw runs again after this, doubling with each failure in a row, up to RETRY_MAX_MS. */
export const RETRY_MIN_MS = 2_000;
export const RETRY_MAX_MS = 5 * 60_000;

/**
 * One alarm, many jobs (after tldraw's AlarmScheduler): each job has a due time in the object's
 * SQLite and the platform alarm is set to the earliest. A job runs at least once: its row goes
 * only after it ran, so every job must be idempotent.
 */
export class AlarmScheduler<Job extends string> {
  private readonly sql: SqlStorage;
  /** The alarm this object last set: undefined until known (memory is lost on hibernation). */
  private armedAt: number | null | undefined;
  /**
   * A due time no earlier than each job's stored one, for the jobs this instance scheduled: a
   * busy room asks for the same job on every message, and this answers without SQL.
   */
  private readonly notLaterThan = new Map<string, number>();
  /** The jobs `runDue` is running, each with the earliest due asked for since it started. */
  private readonly running = new Map<string, { askedFor: number | null }>();
  /** Whether `runDue` is under way: it sets the alarm once it is done. */
  private draining = false;
  /** Counts resets: a job that was running when the storage was emptied leaves the new one alone. */
  private epoch = 0;

  constructor(private readonly storage: DurableObjectStorage) {
    this.sql = storage.sql;
    this.reset();
  }

  /** The schema, also after `deleteAll()` emptied the object (which removes the alarm too). */
  reset(): void {
    this.armedAt = null;
    this.notLaterThan.clear();
    this.running.clear();
    this.epoch += 1;
    this.sql.exec(
      // attempts: the job's failures in a row, for its backoff.
      "CREATE TABLE IF NOT EXISTS alarm_jobs (job TEXT PRIMARY KEY, due INTEGER NOT NULL, attempts INTEGER NOT NULL DEFAULT 0)",
    );
    const columns = this.sql.exec<{ name: string }>("PRAGMA table_info(alarm_jobs)").toArray();
    if (!columns.some((column) => column.name === "attempts")) {
      this.sql.exec("ALTER TABLE alarm_jobs ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0");
    }
  }

  /** Runs `job` at `due`, or at its current time when that is earlier; asked while it runs, it runs again. */
  atOrBefore(job: Job, due: number): void {
    const running = this.running.get(job);
    if (running) running.askedFor = Math.min(running.askedFor ?? due, due);
    const known = this.notLaterThan.get(job);
    if (known !== undefined && known <= due) return;
    this.notLaterThan.set(job, due);
    this.sql.exec(
      "INSERT INTO alarm_jobs (job, due) VALUES (?, ?) ON CONFLICT (job) DO UPDATE SET due = MIN(due, excluded.due)",
      job,
      due,
    );
    this.arm();
  }

  /**
   * The body of `alarm()`: runs each job due by `now`, one after another. A job that returns is
   * removed unless it was asked for again while it ran; a job that throws stays, due again after
   * a backoff, and the others still run. Then the alarm follows the earliest job left, and the
   * failures are thrown (one, or an AggregateError) so that the platform records them. An alarm
   * set while the handler runs replaces the platform's own retry (workerd runs it instead), so a
   * failed job follows this backoff; a retry of the platform's would find it not yet due and only
   * set the alarm again.
   */
  async runDue(now: number, run: (job: Job) => Promise<void> | void): Promise<void> {
    if (this.draining) throw new Error("runDue is already running");
    // The alarm that woke us is spent.
    this.armedAt = null;
    this.draining = true;
    const epoch = this.epoch;
    const failures: unknown[] = [];
    try {
      const due = this.sql
        .exec<{ job: string }>("SELECT job FROM alarm_jobs WHERE due <= ? ORDER BY due", now)
        .toArray();
      for (const { job } of due) {
        if (this.epoch !== epoch) break;
        // Read again: an earlier job's awaits let other events in.
        const row = this.sql
          .exec<{ due: number; attempts: number }>(
            "SELECT due, attempts FROM alarm_jobs WHERE job = ? AND due <= ?",
            job,
            now,
          )
          .toArray()[0];
        if (!row) continue;
        const running = { askedFor: null as number | null };
        this.running.set(job, running);
        // Whoever asks for the job from now on asks after this run started: they must reach `running`.
        this.notLaterThan.delete(job);
        try {
          await run(job as Job);
          if (this.epoch !== epoch) continue;
          if (running.askedFor === null) {
            this.sql.exec("DELETE FROM alarm_jobs WHERE job = ? AND due = ?", job, row.due);
          } else {
            this.sql.exec("UPDATE alarm_jobs SET due = ?, attempts = 0 WHERE job = ?", running.askedFor, job);
          }
        } catch (error) {
          failures.push(error);
          const retryInMs = Math.min(RETRY_MAX_MS, RETRY_MIN_MS * 2 ** row.attempts);
          log("error", "alarm_job_failed", { job, attempts: row.attempts + 1, retryInMs }, error);
          if (this.epoch !== epoch) continue;
          // `now` is stale once an earlier job awaited.
          const retryAt = Math.max(now, Date.now()) + retryInMs;
          this.sql.exec(
            "UPDATE alarm_jobs SET due = ?, attempts = attempts + 1 WHERE job = ?",
            Math.min(retryAt, running.askedFor ?? retryAt),
            job,
          );
        } finally {
          this.running.delete(job);
        }
      }
    } finally {
      this.draining = false;
      this.arm();
    }
    if (failures.length === 1) throw failures[0];
    if (failures.length > 1) throw new AggregateError(failures, `${failures.length} alarm jobs failed`);
  }

  private arm(): void {
    // While jobs run, their rows are still due: `runDue` sets the alarm once they are done.
    if (this.draining) return;
    const next = this.sql.exec<{ due: number | null }>("SELECT MIN(due) AS due FROM alarm_jobs").one().due;
    if (next === this.armedAt) return;
    this.armedAt = next;
    const change = next === null ? this.storage.deleteAlarm() : this.storage.setAlarm(next);
    change.catch((error: unknown) => log("error", "alarm_not_set", {}, error));
  }
}

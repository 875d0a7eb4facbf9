import { log } from "../server/log";
/**
 * One alarm, many jobs (after tldraw's AlarmScheduler): each job has a due time in the object's
 * SQLite and the platform alarm is set to the earliest. Alarms run at least once and may be
 * retried, so every job must be idempotent.
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

  constructor(private readonly storage: DurableObjectStorage) {
    this.sql = storage.sql;
    this.reset();
  }

  /** The schema, also after `deleteAll()` emptied the object (which removes the alarm too). */
  reset(): void {
    this.armedAt = null;
    this.notLaterThan.clear();
    this.sql.exec("CREATE TABLE IF NOT EXISTS alarm_jobs (job TEXT PRIMARY KEY, due INTEGER NOT NULL)");
  }

  /** Runs `job` at `due`, or at its current time when that is earlier. */
  atOrBefore(job: Job, due: number): void {
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

  /** Runs `job` at `due`, replacing its current time. */
  at(job: Job, due: number): void {
    this.notLaterThan.set(job, due);
    this.sql.exec("INSERT OR REPLACE INTO alarm_jobs (job, due) VALUES (?, ?)", job, due);
    this.arm();
  }

  cancel(job: Job): void {
    this.notLaterThan.delete(job);
    this.sql.exec("DELETE FROM alarm_jobs WHERE job = ?", job);
    this.arm();
  }

  isScheduled(job: Job): boolean {
    return this.sql.exec("SELECT 1 FROM alarm_jobs WHERE job = ?", job).toArray().length > 0;
  }

  /**
   * Call first in `alarm()`: the jobs due by `now`, taken off the schedule. The caller runs them
   * and schedules them again as it needs; the alarm then follows the earliest remaining job.
   */
  takeDue(now: number): Job[] {
    // The alarm that woke us is spent.
    this.armedAt = null;
    const due = this.sql
      .exec<{ job: string }>("DELETE FROM alarm_jobs WHERE due <= ? RETURNING job", now)
      .toArray()
      .map((row) => row.job as Job);
    for (const job of due) this.notLaterThan.delete(job);
    this.arm();
    return due;
  }

  private arm(): void {
    const next = this.sql.exec<{ due: number | null }>("SELECT MIN(due) AS due FROM alarm_jobs").one().due;
    if (next === this.armedAt) return;
    this.armedAt = next;
    const change = next === null ? this.storage.deleteAlarm() : this.storage.setAlarm(next);
    change.catch((error: unknown) => log("error", "alarm_not_set", {}, error));
  }
}

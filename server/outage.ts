import { log as logEvent } from "./log";

/**
 * A breaker for one backing service (Upstash, MongoDB), holding what one isolate knows about its
 * health for every request it serves. After a failure the service is skipped for `retryAfterMs`,
 * so requests do not each wait for a timeout. Then one caller asks again (the probe) while the
 * others keep skipping until it answers. Failures are logged once per `logIntervalMs`, not once
 * per request; `meanwhile` says in the log line what the app does while the service is down.
 */
export class Outage {
  private downUntil = 0;
  private lastLoggedAt = Number.NEGATIVE_INFINITY;
  private failuresSinceLog = 0;

  constructor(
    private readonly name: string,
    private readonly options: { retryAfterMs: number; logIntervalMs: number; meanwhile: string },
    private readonly now: () => number = Date.now,
    private readonly log: (message: string, error: unknown) => void = (message, error) =>
      logEvent("error", "outage", { service: name, message }, error),
  ) {}

  /** True while the service failed recently and should not be asked. */
  isDown(): boolean {
    return this.now() < this.downUntil;
  }

  /**
   * Whether a caller should skip the service now: true while it is down. Once the window has
   * passed, false for one caller, the probe, and the window is held for the others until the
   * probe's `failed` or `recovered`: a service still down costs one slow call per window.
   */
  shouldSkip(): boolean {
    const now = this.now();
    if (now < this.downUntil) return true;
    if (this.downUntil > 0) this.downUntil = now + this.options.retryAfterMs;
    return false;
  }

  failed(error: unknown): void {
    const now = this.now();
    this.downUntil = now + this.options.retryAfterMs;
    this.failuresSinceLog += 1;
    if (now - this.lastLoggedAt < this.options.logIntervalMs) return;
    this.log(
      `${this.name} unavailable (${this.failuresSinceLog} failure(s) since last logged); ${this.options.meanwhile}`,
      error,
    );
    this.lastLoggedAt = now;
    this.failuresSinceLog = 0;
  }

  recovered(): void {
    this.downUntil = 0;
  }
}

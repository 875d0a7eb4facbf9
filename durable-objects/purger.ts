import { DurableObject } from "cloudflare:workers";
import { log } from "../server/log";
import { storeFor } from "../server/ports";
import { type Store, USER_BATCH_MAX } from "../server/ports/store";
import { type PurgeBatchOutcome, purgeBatch } from "./account-ending";

/** Accounts handled per purge batch, as many as one Store call takes. */
export const PURGE_BATCH = USER_BATCH_MAX;

/**
 * Purge batches in flight at once: the Store's calls for one overlap the objects' work of another.
 * A round's calls to rooms, hubs and the Store are subrequests of its alarm invocation, which has
 * its own limit: on Workers Free 50, of which up to 1 000 may go to Cloudflare services such as
 * Durable Objects; on Workers Paid 10 000 by default
 * (https://developers.cloudflare.com/workers/platform/limits/#subrequests; a Durable Object has
 * the Workers limits, https://developers.cloudflare.com/durable-objects/platform/limits/). An
 * account with a connection costs about three (its hub, the room, the contact's hub), so a round
 * of 2 × 100 stays near 600 plus five Store calls a batch; each group an account is in adds its
 * room, a Store read and the members' hubs.
 */
export const BATCHES_IN_FLIGHT = 2;

/** What one round (up to BATCHES_IN_FLIGHT batches) did, and whether the run goes on. */
interface PurgeRoundOutcome {
  removed: number;
  failed: string[];
  storeFailure: string | null;
  more: boolean;
}

/**
 * One round of the purge: lists up to BATCHES_IN_FLIGHT batches of accounts expired at `cutoff`,
 * skipping those that failed earlier in this run (so they cannot fill every batch), and runs the
 * batches at once. A round that finds fewer than it asked for ends the run, and so does one that
 * neither removed nor failed an account (nothing it could do); a round of failures goes on past them.
 */
async function purgeRound(
  env: Env,
  store: Store,
  cutoff: number,
  failedBefore: ReadonlySet<string>,
): Promise<PurgeRoundOutcome> {
  const wanted = PURGE_BATCH * BATCHES_IN_FLIGHT;
  const listed = await store.listExpiredUsers(cutoff, wanted + failedBefore.size);
  if (!listed.ok) return { removed: 0, failed: [], storeFailure: listed.reason, more: false };
  const todo = listed.value.filter((userId) => !failedBefore.has(userId));
  if (todo.length === 0) return { removed: 0, failed: [], storeFailure: null, more: false };
  const batches = Array.from({ length: Math.ceil(todo.length / PURGE_BATCH) }, (_, index) =>
    todo.slice(index * PURGE_BATCH, (index + 1) * PURGE_BATCH),
  );
  const outcomes = await Promise.all(
    batches.map((userIds) =>
      purgeBatch(env, store, userIds).catch((error: unknown): PurgeBatchOutcome => {
        log("error", "purge_batch_failed", { accounts: userIds.length }, error);
        return { removed: 0, failed: userIds, storeFailure: null };
      }),
    ),
  );
  const removed = outcomes.reduce((sum, outcome) => sum + outcome.removed, 0);
  const failed = outcomes.flatMap((outcome) => outcome.failed);
  const storeFailure = outcomes.find((outcome) => outcome.storeFailure !== null)?.storeFailure ?? null;
  const more = storeFailure === null && removed + failed.length > 0 && todo.length >= wanted;
  return { removed, failed, storeFailure, more };
}

/** The run in progress, in the Purger's storage between its alarms. */
interface PurgeRun {
  /** Accounts whose lifetime ended before this time are purged (the cron's scheduled time). */
  cutoff: number;
  startedAt: number;
  removed: number;
  rounds: number;
  /** Accounts that failed in this run: listed past, and left for the next run. */
  failed: string[];
}

const RUN_KEY = "run";

/**
 * The purge of expired accounts, one object for the whole app (`purgerFor` in addresses.ts). The
 * cron only starts a run; each round then runs in an alarm invocation of its own and schedules the
 * next, so a run of 10 000 accounts is not one invocation: each round has its own subrequest limit,
 * and the hubs and rooms it reached are let go when it ends. What ending an account means is
 * account-ending.ts, which the Worker's deletion runs too.
 */
export class Purger extends DurableObject<Env> {
  /** What the rounds reach the Store, rooms and hubs through: the object's own bindings (a test makes one unreachable). */
  bindings: Env = this.env;

  /** Starts a run for accounts expired at `cutoff`, or moves a run in progress on to it. Safe to repeat. */
  async start(cutoff: number): Promise<void> {
    const current = await this.ctx.storage.get<PurgeRun>(RUN_KEY);
    const run: PurgeRun = current
      ? { ...current, cutoff: Math.max(current.cutoff, cutoff) }
      : { cutoff, startedAt: Date.now(), removed: 0, rounds: 0, failed: [] };
    await this.ctx.storage.put(RUN_KEY, run);
    // An alarm already set is the run's next round; none set means a new run, or one that stopped.
    if ((await this.ctx.storage.getAlarm()) === null) await this.ctx.storage.setAlarm(Date.now());
  }

  /** Whether a run is in progress (its state kept between rounds). */
  async running(): Promise<boolean> {
    return (await this.ctx.storage.get<PurgeRun>(RUN_KEY)) !== undefined;
  }

  override async alarm(): Promise<void> {
    const run = await this.ctx.storage.get<PurgeRun>(RUN_KEY);
    if (!run) return;
    const roundStarted = Date.now();
    const round = await purgeRound(this.bindings, storeFor(this.bindings), run.cutoff, new Set(run.failed));
    const next: PurgeRun = {
      ...run,
      removed: run.removed + round.removed,
      rounds: run.rounds + 1,
      failed: [...run.failed, ...round.failed],
    };
    log("info", "purge_round", {
      round: next.rounds,
      removed: round.removed,
      failed: round.failed.length,
      ms: Date.now() - roundStarted,
      totalRemoved: next.removed,
    });
    // A start() during this round may have moved the cutoff on: the run then goes on to it.
    const latest = await this.ctx.storage.get<PurgeRun>(RUN_KEY);
    const movedOn = latest !== undefined && latest.cutoff > run.cutoff;
    if (latest) next.cutoff = Math.max(next.cutoff, latest.cutoff);
    if (round.storeFailure !== null)
      log("error", "purge_stopped", { reason: round.storeFailure, removed: next.removed });
    if (round.more || (movedOn && round.storeFailure === null)) {
      await this.ctx.storage.put(RUN_KEY, next);
      await this.ctx.storage.setAlarm(Date.now());
      return;
    }
    await this.ctx.storage.delete(RUN_KEY);
    if (next.removed > 0) {
      log("info", "purge_done", { removed: next.removed, rounds: next.rounds, ms: Date.now() - next.startedAt });
    }
  }
}

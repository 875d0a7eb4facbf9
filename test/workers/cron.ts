import { createScheduledController, runDurableObjectAlarm } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { purgerFor } from "../../durable-objects/addresses";
import worker from "../../worker/index";

/** More rounds than any test's purge needs: a run that never ends fails instead of hanging. */
const MAX_ROUNDS = 50;

/**
 * The cron at `at` (a time past the accounts' expiry), then the purge it starts: the Purger's
 * rounds, each an alarm (durable-objects/purger.ts), run here one after another until its run ends.
 */
export async function runCron(at: number): Promise<void> {
  await worker.scheduled(createScheduledController({ scheduledTime: at, cron: "*/10 * * * *" }), env);
  const purger = purgerFor(env);
  for (let attempts = 0; await purger.running(); attempts += 1) {
    if (attempts > MAX_ROUNDS) throw new Error("the purge did not end");
    // False when the runtime has started the round by itself: wait for it instead.
    if (!(await runDurableObjectAlarm(purger))) await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

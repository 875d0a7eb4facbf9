import { env } from "cloudflare:workers";
import { countersOn } from "../server/counters";
import { log } from "../server/log";
import { storeFor } from "../server/ports";
import { purgeExpiredAccounts } from "./account";
import { createApp } from "./app";

const app = createApp({ benchSeed: env.BENCH_SEED === "1", benchCounters: countersOn(env) });

export default {
  fetch: app.fetch,
  async scheduled(controller, env, ctx) {
    // Each batch in an invocation of its own, with its own subrequest limit (worker/account.ts).
    const runBatch = (userIds: string[]) => ctx.exports.PurgeBatch.run(userIds);
    ctx.waitUntil(
      purgeExpiredAccounts(env, storeFor(env), controller.scheduledTime, runBatch).then((removed) => {
        if (removed > 0) log("info", "purge_done", { removed });
      }),
    );
  },
} satisfies ExportedHandler<Env>;

export { ConversationRoom } from "../durable-objects/conversation-room";
export { EmbeddedCache } from "../durable-objects/embedded-cache";
export { StoreHost } from "../durable-objects/store-host";
export { UserHub } from "../durable-objects/user-hub";
export { PurgeBatch } from "./account";

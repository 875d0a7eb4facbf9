import { purgerFor } from "../durable-objects/addresses";
import { createApp } from "./app";

const app = createApp();

export default {
  fetch: app.fetch,
  async scheduled(controller, env) {
    // The cron only starts the purge: each round runs in an alarm of the Purger (durable-objects/purger.ts).
    await purgerFor(env).start(controller.scheduledTime);
  },
} satisfies ExportedHandler<Env>;

export { ConversationRoom } from "../durable-objects/conversation-room";
export { EmbeddedCache } from "../durable-objects/embedded-cache";
export { Purger } from "../durable-objects/purger";
export { StoreHost } from "../durable-objects/store-host";
export { UserHub } from "../durable-objects/user-hub";

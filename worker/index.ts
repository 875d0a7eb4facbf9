export default {
  async fetch(): Promise<Response> { return new Response("ok"); },
} satisfies ExportedHandler<Env>;
export { ConversationRoom } from "../durable-objects/conversation-room";
export { UserHub } from "../durable-objects/user-hub";
export { EmbeddedStore } from "../durable-objects/embedded-store";
export { EmbeddedCache } from "../durable-objects/embedded-cache";

import { countedStub } from "../server/counters";

/** Stubs of the per-conversation and per-user objects, named so every caller finds the same one. */
export function roomFor(env: Env, conversationId: string) {
  return countedStub(env.ROOMS.get(env.ROOMS.idFromName(conversationId)), "room", env);
}

export function hubFor(env: Env, userId: string) {
  return countedStub(env.HUBS.get(env.HUBS.idFromName(userId)), "hub", env);
}

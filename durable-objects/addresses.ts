import { countedStub } from "../server/counters";

/** Stubs of the app's objects (per conversation, per user, the one Purger), named so every caller finds the same one. */
export function roomFor(env: Env, conversationId: string) {
  return countedStub(env.ROOMS.get(env.ROOMS.idFromName(conversationId)), "room", env);
}

export function hubFor(env: Env, userId: string) {
  return countedStub(env.HUBS.get(env.HUBS.idFromName(userId)), "hub", env);
}

/** The one Purger of the app (not counted: it is no part of a message's path). */
export function purgerFor(env: Env) {
  return env.PURGER.get(env.PURGER.idFromName("purger"));
}

/** Stubs of the per-conversation and per-user objects, named so every caller finds the same one. */
export function roomFor(env: Env, conversationId: string) {
  return env.ROOMS.get(env.ROOMS.idFromName(conversationId));
}

export function hubFor(env: Env, userId: string) {
  return env.HUBS.get(env.HUBS.idFromName(userId));
}

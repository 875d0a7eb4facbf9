import { type Cache, CacheUnavailableError } from "./ports/cache";
import { PRESENCE_TTL_SECONDS } from "./timing";

const key = (userId: string) => `presence:${userId}`;

/** Presence snapshots for contact lists; the user's hub is the truth, this is its copy. */
export async function recordPresence(cache: Cache, userId: string, online: boolean): Promise<void> {
  if (online) await cache.set(key(userId), "1", PRESENCE_TTL_SECONDS);
  else await cache.delete(key(userId));
}

/** Who of these users is online, as last recorded; everyone offline when the cache fails. */
export async function readPresence(cache: Cache, userIds: string[]): Promise<Map<string, boolean>> {
  const online = new Map<string, boolean>();
  if (userIds.length === 0) return online;
  try {
    const values = await cache.getMany(userIds.map(key));
    for (const [index, id] of userIds.entries()) online.set(id, values[index] === "1");
  } catch (error) {
    // An outage is logged once per interval where it is detected, not once per read.
    if (!(error instanceof CacheUnavailableError)) console.error("presence read failed", error);
    for (const id of userIds) online.set(id, false);
  }
  return online;
}

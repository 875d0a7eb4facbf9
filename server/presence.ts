import { log } from "./log";
import { type Cache, CacheUnavailableError } from "./ports/cache";
import { PRESENCE_TTL_SECONDS } from "./timing";

/** What a contact list shows of someone: online now, or when they were last seen (if known). */
export interface Presence {
  online: boolean;
  lastSeenAt: string | null;
}

/** An offline snapshot keeps the last-seen time as long as an account can live. */
const LAST_SEEN_TTL_SECONDS = 7 * 24 * 3600;
const ONLINE = "1";
const OFFLINE_PREFIX = "0:";
const UNKNOWN: Presence = { online: false, lastSeenAt: null };

const key = (userId: string) => `presence:${userId}`;

/**
 * Presence snapshots for contact lists; the user's hub is the truth, this is its copy. Online
 * expires unless refreshed (a crashed hub must not leave anyone online); offline keeps the time.
 */
export async function recordPresence(cache: Cache, userId: string, online: boolean, now = Date.now()): Promise<void> {
  if (online) await cache.set(key(userId), ONLINE, PRESENCE_TTL_SECONDS);
  else await cache.set(key(userId), `${OFFLINE_PREFIX}${now}`, LAST_SEEN_TTL_SECONDS);
}

/** The account is gone: nothing about it is kept. */
export async function forgetPresence(cache: Cache, userId: string): Promise<void> {
  await cache.delete(key(userId));
}

/** These users' presence, as last recorded; unknown (offline) when the cache fails. */
export async function readPresence(cache: Cache, userIds: string[]): Promise<Map<string, Presence>> {
  const presence = new Map<string, Presence>();
  if (userIds.length === 0) return presence;
  try {
    const values = await cache.getMany(userIds.map(key));
    for (const [index, id] of userIds.entries()) presence.set(id, parse(values[index] ?? null));
  } catch (error) {
    // An outage is logged once per interval where it is detected, not once per read.
    if (!(error instanceof CacheUnavailableError)) log("error", "presence_read_failed", {}, error);
    for (const id of userIds) presence.set(id, UNKNOWN);
  }
  return presence;
}

function parse(value: string | null): Presence {
  if (value === ONLINE) return { online: true, lastSeenAt: null };
  const at = value?.startsWith(OFFLINE_PREFIX) ? Number(value.slice(OFFLINE_PREFIX.length)) : Number.NaN;
  return Number.isFinite(at) ? { online: false, lastSeenAt: new Date(at).toISOString() } : UNKNOWN;
}

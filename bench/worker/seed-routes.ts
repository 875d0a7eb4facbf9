import { Hono } from "hono";
import * as v from "valibot";
import { hubFor, roomFor } from "../../durable-objects/addresses";
import { LIFETIME_HOURS_MAX, LIFETIME_HOURS_MIN } from "../../protocol/api";
import { directConversationId } from "../../server/conversation-id";
import { answered, type UserRecord } from "../../server/ports/store";
import { hashPassword } from "../../worker/auth/password";
import { seenByOther, toConnection } from "../../worker/contacts";
import type { AppContext, AppEnv } from "../../worker/context";
import { ApiError } from "../../worker/lib/errors";
import { validate } from "../../worker/lib/validate";

/** Pairs per call at most: the bench seeds 10 000 people in calls of this size. */
export const SEED_PAIRS_MAX = 500;
/** Pairs written at once within a call. */
const SEED_CONCURRENCY = 16;

const SeedBody = v.object({
  /** People are named `<prefix><n>`, from `<prefix><from>`; pair k is (from + 2k, from + 2k + 1). */
  prefix: v.pipe(v.string(), v.regex(/^[a-z0-9_]{1,16}$/)),
  from: v.pipe(v.number(), v.integer(), v.minValue(0)),
  pairs: v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(SEED_PAIRS_MAX)),
  lifetimeHours: v.pipe(v.number(), v.integer(), v.minValue(LIFETIME_HOURS_MIN), v.maxValue(LIFETIME_HOURS_MAX)),
  password: v.optional(v.pipe(v.string(), v.minLength(8), v.maxLength(128)), "bench password 1"),
});

/**
 * For `npm run bench` (bench/README.md, "Seeding"): only the bench's Worker (./index.ts) mounts
 * it; the product's app has no such path. Writes people through the Store port with one PBKDF2
 * hash per call (10 000 sign-ups would pay PBKDF2 10 000 times), pairs them with an accepted
 * connection each, and reaches each pair's room and hubs as connecting does, so the purge finds
 * those objects as after real sign-ups.
 */
export const benchSeedRoutes = new Hono<AppEnv>().post("/seed", validate("json", SeedBody), async (c) => {
  const { prefix, from, pairs, lifetimeHours, password } = c.req.valid("json");
  const now = Date.now();
  const template = {
    passwordHash: await hashPassword(password),
    createdAt: now,
    expiresAt: now + lifetimeHours * 3_600_000,
  };
  const person = (n: number): UserRecord => ({ id: crypto.randomUUID(), username: `${prefix}${n}`, ...template });
  const conversationIds: string[] = [];
  for (let start = 0; start < pairs; start += SEED_CONCURRENCY) {
    const group = Array.from({ length: Math.min(SEED_CONCURRENCY, pairs - start) }, (_, k) => from + 2 * (start + k));
    conversationIds.push(...(await Promise.all(group.map((n) => seedPair(c, person(n), person(n + 1), now)))));
  }
  return c.json({ users: 2 * pairs, conversationIds }, 201);
});

async function seedPair(c: AppContext, a: UserRecord, b: UserRecord, now: number): Promise<string> {
  const store = c.var.store;
  for (const user of [a, b]) {
    const created = answered(await store.createUser(user));
    if (!created.ok) throw new ApiError(409, "username_taken", `${user.username} exists already.`);
  }
  const conversationId = await directConversationId(a.id, b.id);
  const added = answered(await store.addConnection(a.id, b.id, conversationId, now, { accepted: true }));
  if (!added.ok) throw new ApiError(404, "user_not_found", `${b.username} cannot be connected.`);
  const record = added.value.connection;
  await Promise.all([
    roomFor(c.env, conversationId).accept(),
    hubFor(c.env, a.id).connectionAdded(toConnection(a.id, record, undefined, undefined)),
    hubFor(c.env, b.id).connectionAdded(toConnection(b.id, seenByOther(a, record), undefined, undefined)),
  ]);
  return conversationId;
}

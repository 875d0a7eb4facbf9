import { Hono } from "hono";
import { toHex } from "../../server/hex";
import { answered } from "../../server/ports/store";
import { RATE_RULES } from "../../server/rate-limit";
import { requireUser } from "../auth/session";
import type { AppEnv } from "../context";
import { toBase64Url } from "../lib/encoding";
import { ApiError, notFound } from "../lib/errors";
import { clientIp, enforce, rateLimited } from "../middleware/rate-limit";
import { addConnection } from "./connections";

/** An invite lives as long as the inviter's account, and a week at most. */
const INVITE_LIFETIME_MS = 7 * 24 * 3_600_000;

const inviteNotFound = () => notFound("This invitation was used, has expired, or never existed.", "invite_not_found");

/** The store keeps a hash of the token, so a copy of the database opens no invitation. */
async function hashOf(token: string): Promise<string> {
  return toHex(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(token)));
}

/**
 * Invite links: a single-use, unguessable token (never a user id) that connects whoever opens it
 * to the inviter in one step, accepted on both sides.
 */
export const inviteRoutes = new Hono<AppEnv>()
  .get("/:token", rateLimited(RATE_RULES.inviteLookupPerIp, clientIp), async (c) => {
    const found = answered(await c.var.store.findInvite(await hashOf(c.req.param("token")), Date.now()));
    if (!found.value) throw inviteNotFound();
    const inviter = answered(await c.var.store.getUser(found.value.inviterId));
    if (!inviter.value) throw inviteNotFound();
    return c.json({ inviter: { username: inviter.value.username } });
  })
  .use(requireUser)
  .post("/", async (c) => {
    const me = c.var.user;
    await enforce(c, RATE_RULES.invitePerUser, me.id);
    const token = toBase64Url(crypto.getRandomValues(new Uint8Array(32)));
    const expiresAt = Math.min(me.expiresAt, Date.now() + INVITE_LIFETIME_MS);
    answered(await c.var.store.createInvite({ tokenHash: await hashOf(token), inviterId: me.id, expiresAt }));
    return c.json({ invite: { token, expiresAt: new Date(expiresAt).toISOString() } }, 201);
  })
  .post("/:token/accept", async (c) => {
    const me = c.var.user;
    const tokenHash = await hashOf(c.req.param("token"));
    const found = answered(await c.var.store.findInvite(tokenHash, Date.now()));
    // Your own invitation stays for someone else.
    if (!found.value || found.value.inviterId === me.id) throw inviteNotFound();
    const taken = answered(await c.var.store.takeInvite(tokenHash, Date.now()));
    if (!taken.value) throw inviteNotFound();
    const { connection } = await addConnection(c, taken.value.inviterId, true).catch((error: unknown) => {
      // Blocked either way, or the inviter is gone: the link simply does not work.
      if (error instanceof ApiError && error.status === 404) throw inviteNotFound();
      throw error;
    });
    return c.json({ connection }, 201);
  });

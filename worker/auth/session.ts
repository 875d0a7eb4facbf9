import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { createMiddleware } from "hono/factory";
import type { Cache } from "../../server/ports/cache";
import type { UserRecord } from "../../server/ports/store";
import type { AppContext, AppEnv } from "../context";
import { ApiError, unauthorized } from "../lib/errors";
import { type SessionClaims, signSession, verifySession } from "./session-token";

export const SESSION_COOKIE = "session";
const MIN_SECRET_LENGTH = 32;

/** Signs the user in: a signed cookie for a new session that expires with the account. */
export async function startSession(c: AppContext, user: UserRecord): Promise<void> {
  const claims: SessionClaims = { userId: user.id, sessionId: crypto.randomUUID(), expiresAt: user.expiresAt };
  const token = await signSession(claims, sessionSecret(c.env));
  setCookie(c, SESSION_COOKIE, token, {
    httpOnly: true,
    secure: true,
    sameSite: "Strict",
    path: "/",
    expires: new Date(user.expiresAt),
  });
}

/**
 * Signs out: clears the cookie, and ends the session on the server too, so a copy of the
 * cookie stops working. Ended sessions are remembered only until they would have expired.
 */
export async function endSession(c: AppContext): Promise<void> {
  const token = getCookie(c, SESSION_COOKIE);
  deleteCookie(c, SESSION_COOKIE, { path: "/", secure: true, httpOnly: true, sameSite: "Strict" });
  const claims = token ? await verifySession(token, sessionSecret(c.env)) : null;
  if (!claims) return;
  const ttlSeconds = Math.ceil((claims.expiresAt - Date.now()) / 1000);
  await c.var.cache.set(endedKey(claims.sessionId), "1", ttlSeconds).catch((error: unknown) => {
    console.error("could not record an ended session", error);
  });
}

/** Loads the signed-in user from the session cookie, or answers 401. */
export const requireUser = createMiddleware<AppEnv>(async (c, next) => {
  const token = getCookie(c, SESSION_COOKIE);
  if (!token) throw unauthorized();
  const claims = await verifySession(token, sessionSecret(c.env));
  if (!claims) throw unauthorized("Your session has ended. Sign in again.", "session_expired");
  const [user, ended] = await Promise.all([
    c.var.store.getUser(claims.userId),
    hasEnded(c.var.cache, claims.sessionId),
  ]);
  if (ended) throw unauthorized("You signed out of this session. Sign in again.", "session_ended");
  if (!user || user.expiresAt <= Date.now()) throw unauthorized("This account no longer exists.", "account_ended");
  c.set("user", user);
  return next();
});

/** A session signed out of; when the cache cannot say, the signature alone decides. */
async function hasEnded(cache: Cache, sessionId: string): Promise<boolean> {
  try {
    return (await cache.get(endedKey(sessionId))) === "1";
  } catch (error) {
    console.error("could not check for an ended session", error);
    return false;
  }
}

const endedKey = (sessionId: string) => `session-ended:${sessionId}`;

function sessionSecret(env: Env): string {
  const secret = env.SESSION_SECRET;
  if (!secret || secret.length < MIN_SECRET_LENGTH) {
    throw new ApiError(500, "server_misconfigured", "The server has no session secret configured.");
  }
  return secret;
}

import type { Context } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { createMiddleware } from "hono/factory";
import { log } from "../../server/log";
import { endedSessionsFor } from "../../server/ports";
import type { UserRecord } from "../../server/ports/store";
import type { AppContext, AppEnv, SignedInContext, SignedInEnv } from "../context";
import { ApiError, unauthorized } from "../lib/errors";
import { type SessionClaims, signSession, verifySession } from "./session-token";

/** `__Host-`: the browser keeps it only if Secure, on `/`, from this host alone (no Domain). */
export const SESSION_COOKIE = "__Host-session";
const MIN_SECRET_LENGTH = 32;

/**
 * The session token from the Cookie header. Two session cookies (one planted by a sibling
 * domain or a script, say) make the request ambiguous: it is refused rather than guessed.
 */
function sessionToken(c: Context): string | null {
  const header = c.req.header("Cookie") ?? "";
  const values = header
    .split(";")
    .map((pair) => pair.trim())
    .filter((pair) => pair.startsWith(`${SESSION_COOKIE}=`))
    .map((pair) => pair.slice(SESSION_COOKIE.length + 1));
  if (values.length > 1) throw unauthorized("Your browser sent two sessions. Sign in again.", "session_ambiguous");
  return values[0] || null;
}

/** Signs the user in: a signed cookie for a new session that expires with the account. */
export async function startSession(c: AppContext, user: UserRecord): Promise<void> {
  const claims: SessionClaims = {
    userId: user.id,
    username: user.username,
    createdAt: user.createdAt,
    sessionId: crypto.randomUUID(),
    expiresAt: user.expiresAt,
  };
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
 * Returns the session that ended, or null when the cookie held none.
 */
export async function endSession<E extends AppEnv>(c: Context<E>): Promise<SessionClaims | null> {
  const token = getCookie(c, SESSION_COOKIE);
  deleteCookie(c, SESSION_COOKIE, { path: "/", secure: true, httpOnly: true, sameSite: "Strict" });
  const claims = token ? await verifySession(token, sessionSecret(c.env)) : null;
  if (!claims) return null;
  const ttlSeconds = Math.max(1, Math.ceil((claims.expiresAt - Date.now()) / 1000));
  await endedSessionsFor(c.env, c.var.cache)
    .recordSession(claims.sessionId, ttlSeconds)
    .catch((error: unknown) => log("error", "ended_session_not_recorded", {}, error));
  return claims;
}

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * Reads the signed-in user and their session from the cookie, or answers 401. The signed token
 * says who they are; one Cache call says whether the session was logged out or the account
 * ended. The Store is not asked: a route that needs it asks it, so a read or a socket upgrade
 * goes on while the Store is down. When neither the Cache nor its backup can say, a read goes on
 * (the signature is valid) but a state change or a socket upgrade is refused with 503:
 * revocation fails closed where it matters.
 */
export const requireUser = createMiddleware<SignedInEnv>(async (c, next) => {
  const token = sessionToken(c);
  if (!token) throw unauthorized();
  const claims = await verifySession(token, sessionSecret(c.env));
  // A token from before the name was signed into it cannot stand for the user on its own.
  if (!claims?.username) throw unauthorized("Your session has ended. Sign in again.", "session_expired");
  const state = await endedSessionsFor(c.env, c.var.cache).state(claims);
  if (state === "account-ended") throw unauthorized("This account no longer exists.", "account_ended");
  if (state === "session-ended") throw unauthorized("You signed out of this session. Sign in again.", "session_ended");
  if (state === "unknown" && changesState(c)) {
    throw new ApiError(503, "session_check_unavailable", "We cannot check your session right now. Try again shortly.", {
      "Retry-After": "5",
    });
  }
  const { userId: id, username, createdAt, expiresAt } = claims;
  c.set("user", { id, username, createdAt, expiresAt });
  c.set("session", claims);
  return next();
});

/** Who a socket opened now belongs to: the user, this sign-in, and when the account ends. */
export function socketOwner(c: SignedInContext) {
  const { user, session } = c.var;
  return { userId: user.id, username: user.username, sessionId: session.sessionId, expiresAt: user.expiresAt };
}

function changesState(c: Context): boolean {
  return !SAFE_METHODS.has(c.req.method) || c.req.header("Upgrade")?.toLowerCase() === "websocket";
}

function sessionSecret(env: Env): string {
  const secret = env.SESSION_SECRET;
  if (!secret || secret.length < MIN_SECRET_LENGTH) {
    throw new ApiError(500, "server_misconfigured", "The server has no session secret configured.");
  }
  return secret;
}

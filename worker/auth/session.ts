import type { Context } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { createMiddleware } from "hono/factory";
import { log } from "../../server/log";
import { endedSessionsFor } from "../../server/ports";
import type { UserRecord } from "../../server/ports/store";
import type { AppContext, AppEnv, SignedInContext, SignedInEnv } from "../context";
import { ApiError, storeUnavailable, unauthorized } from "../lib/errors";
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
    .record(claims.sessionId, ttlSeconds)
    .catch((error: unknown) => log("error", "ended_session_not_recorded", {}, error));
  return claims;
}

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * Loads the signed-in user and their session from the cookie, or answers 401. When neither the
 * Cache nor its backup can say whether the session was logged out, a read goes on (the
 * signature is valid) but a state change or a socket upgrade is refused with 503: revocation
 * fails closed where it matters.
 */
export const requireUser = createMiddleware<SignedInEnv>(async (c, next) => {
  const token = sessionToken(c);
  if (!token) throw unauthorized();
  const claims = await verifySession(token, sessionSecret(c.env));
  if (!claims) throw unauthorized("Your session has ended. Sign in again.", "session_expired");
  const [found, ended] = await Promise.all([
    c.var.store.getUser(claims.userId),
    endedSessionsFor(c.env, c.var.cache).state(claims.sessionId),
  ]);
  if (ended === "ended") throw unauthorized("You signed out of this session. Sign in again.", "session_ended");
  if (ended === "unknown" && changesState(c)) {
    throw new ApiError(503, "session_check_unavailable", "We cannot check your session right now. Try again shortly.", {
      "Retry-After": "5",
    });
  }
  // The Store is unreachable: a read or a socket goes on with what the signed token says (chat
  // keeps working from the rooms); a change that needs the Store waits.
  if (!found.ok && (!claims.username || (changesState(c) && !isUpgrade(c)))) throw storeUnavailable();
  const user = found.ok ? found.value : userFromClaims(claims);
  if (!user || user.expiresAt <= Date.now()) throw unauthorized("This account no longer exists.", "account_ended");
  c.set("user", user);
  c.set("session", claims);
  return next();
});

/** Who a socket opened now belongs to: the user, this sign-in, and when the account ends. */
export function socketOwner(c: SignedInContext) {
  const { user, session } = c.var;
  return { userId: user.id, username: user.username, sessionId: session.sessionId, expiresAt: user.expiresAt };
}

function changesState(c: Context): boolean {
  return !SAFE_METHODS.has(c.req.method) || isUpgrade(c);
}

function isUpgrade(c: Context): boolean {
  return c.req.header("Upgrade")?.toLowerCase() === "websocket";
}

/** The user as the signed token describes them, for when the Store cannot be asked. */
function userFromClaims(claims: SessionClaims): UserRecord {
  return {
    id: claims.userId,
    username: claims.username,
    passwordHash: "",
    createdAt: claims.createdAt,
    expiresAt: claims.expiresAt,
  };
}

function sessionSecret(env: Env): string {
  const secret = env.SESSION_SECRET;
  if (!secret || secret.length < MIN_SECRET_LENGTH) {
    throw new ApiError(500, "server_misconfigured", "The server has no session secret configured.");
  }
  return secret;
}

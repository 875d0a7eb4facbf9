import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { createMiddleware } from "hono/factory";
import type { AppContext, AppEnv } from "../context";
import { ApiError, unauthorized } from "../lib/errors";
import type { UserRecord } from "../ports/store";
import { signSession, verifySession } from "./session-token";

export const SESSION_COOKIE = "session";
const MIN_SECRET_LENGTH = 32;

/** Signs the user in: a signed cookie that expires with the account. */
export async function startSession(c: AppContext, user: UserRecord): Promise<void> {
  const token = await signSession({ userId: user.id, expiresAt: user.expiresAt }, sessionSecret(c.env));
  setCookie(c, SESSION_COOKIE, token, {
    httpOnly: true,
    secure: true,
    sameSite: "Strict",
    path: "/",
    expires: new Date(user.expiresAt),
  });
}

export function endSession(c: AppContext): void {
  deleteCookie(c, SESSION_COOKIE, { path: "/", secure: true, httpOnly: true, sameSite: "Strict" });
}

/** Loads the signed-in user from the session cookie, or answers 401. */
export const requireUser = createMiddleware<AppEnv>(async (c, next) => {
  const token = getCookie(c, SESSION_COOKIE);
  if (!token) throw unauthorized();
  const claims = await verifySession(token, sessionSecret(c.env));
  if (!claims) throw unauthorized("Your session has ended. Sign in again.", "session_expired");
  const user = await c.var.store.getUser(claims.userId);
  if (!user || user.expiresAt <= Date.now()) throw unauthorized("This account no longer exists.", "account_ended");
  c.set("user", user);
  return next();
});

function sessionSecret(env: Env): string {
  const secret = env.SESSION_SECRET;
  if (!secret || secret.length < MIN_SECRET_LENGTH) {
    throw new ApiError(500, "server_misconfigured", "The server has no session secret configured.");
  }
  return secret;
}

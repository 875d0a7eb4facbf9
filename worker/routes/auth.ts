import { Hono } from "hono";
import * as v from "valibot";
import {
  LIFETIME_HOURS_DEFAULT,
  LIFETIME_HOURS_MAX,
  LIFETIME_HOURS_MIN,
  PASSWORD_MAX,
  PASSWORD_MIN,
  USERNAME_PATTERN,
  type User,
} from "../../protocol/api";
import { answered } from "../../server/ports/store";
import { RATE_RULES } from "../../server/rate-limit";
import { closeSessionSockets } from "../account";
import { DUMMY_HASH, hashPassword, verifyPassword } from "../auth/password";
import { endSession, startSession } from "../auth/session";
import type { AppEnv } from "../context";
import { conflict, unauthorized } from "../lib/errors";
import { validate } from "../lib/validate";
import { toUser } from "../lib/views";
import { clientIp, enforce, rateLimited } from "../middleware/rate-limit";

/** Stored and shown in lower case, so that `iI11` and `il11` cannot pass for one another by case. */
const Username = v.pipe(
  v.string("username is required"),
  v.regex(USERNAME_PATTERN, "a username is 3 to 32 characters of a-z, 0-9, _ . -"),
  v.toLowerCase(),
);
const Password = v.pipe(
  v.string("password is required"),
  v.minLength(PASSWORD_MIN, `a password has at least ${PASSWORD_MIN} characters`),
  v.maxLength(PASSWORD_MAX, `a password has at most ${PASSWORD_MAX} characters`),
);
const SignupBody = v.object({
  username: Username,
  password: Password,
  lifetimeHours: v.optional(
    v.pipe(
      v.number(),
      v.integer(),
      v.minValue(LIFETIME_HOURS_MIN),
      v.maxValue(LIFETIME_HOURS_MAX, "an account lives at most 168 hours"),
    ),
    LIFETIME_HOURS_DEFAULT,
  ),
});
const LoginBody = v.object({
  username: v.pipe(v.string("username is required"), v.maxLength(64)),
  password: v.pipe(v.string("password is required"), v.maxLength(PASSWORD_MAX)),
});

export const authRoutes = new Hono<AppEnv>()
  .post("/signup", rateLimited(RATE_RULES.signupPerIp, clientIp), validate("json", SignupBody), async (c) => {
    const { username, password, lifetimeHours } = c.req.valid("json");
    const now = Date.now();
    const created = answered(
      await c.var.store.createUser({
        id: crypto.randomUUID(),
        username,
        passwordHash: await hashPassword(password),
        createdAt: now,
        expiresAt: now + lifetimeHours * 3_600_000,
      }),
    );
    if (!created.ok) throw conflict("That username is taken.", "username_taken");
    await startSession(c, created.value);
    return c.json<{ user: User }>({ user: toUser(created.value) }, 201);
  })
  .post("/login", rateLimited(RATE_RULES.loginPerIp, clientIp), validate("json", LoginBody), async (c) => {
    const { username, password } = c.req.valid("json");
    await enforce(c, RATE_RULES.loginPerUsername, username);
    const found = answered(await c.var.store.getUserByUsername(username));
    const user = found.value;
    // Verify even without a user, so the answer takes as long either way.
    const valid = await verifyPassword(password, user?.passwordHash ?? DUMMY_HASH);
    if (!user || !valid || user.expiresAt <= Date.now())
      throw unauthorized("Wrong username or password.", "invalid_credentials");
    await startSession(c, user);
    return c.json<{ user: User }>({ user: toUser(user) });
  })
  .post("/logout", async (c) => {
    const ended = await endSession(c);
    if (ended) await closeSessionSockets(c.env, c.var.store, ended);
    return c.body(null, 204);
  });

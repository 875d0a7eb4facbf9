import { describe, expect, it } from "vitest";
import type { User } from "../../protocol/api";
import { api, sessionCookie, signUp, uniqueName } from "./helpers";

describe("sign-up", () => {
  it("creates an account with the chosen lifetime and signs it in with a strict cookie", async () => {
    const username = uniqueName("Ann");
    const response = await api("/api/auth/signup", { body: { username, password: "password123", lifetimeHours: 2 } });
    expect(response.status).toBe(201);
    const { user } = await response.json<{ user: User }>();
    // Stored and shown in lower case: look-alikes by case cannot both exist.
    expect(user.username).toBe(username.toLowerCase());
    const lifetime = Date.parse(user.expiresAt) - Date.parse(user.createdAt);
    expect(lifetime).toBe(2 * 3_600_000);
    const cookie = response.headers.get("Set-Cookie") ?? "";
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/Secure/);
    expect(cookie).toMatch(/SameSite=Strict/);
    const me = await api("/api/me", { cookie: sessionCookie(response) });
    expect(await me.json()).toEqual({ user });
  });

  it("defaults to a 24-hour account", async () => {
    const { user } = await signUp();
    expect(Date.parse(user.expiresAt) - Date.parse(user.createdAt)).toBe(24 * 3_600_000);
  });

  it("refuses a username taken in another case with 409", async () => {
    const username = uniqueName("Case");
    await signUp(username);
    const response = await api("/api/auth/signup", {
      body: { username: username.toUpperCase(), password: "password123" },
    });
    expect(response.status).toBe(409);
    expect(await response.json()).toMatchObject({ error: { code: "username_taken" } });
  });

  it.each([
    [{ username: "ab", password: "password123" }, "username"],
    [{ username: "bad name!", password: "password123" }, "username"],
    [{ username: "x".repeat(33), password: "password123" }, "username"],
    [{ username: "validname", password: "short" }, "password"],
    [{ username: "validname", password: "p".repeat(129) }, "password"],
    [{ username: "validname", password: "password123", lifetimeHours: 0 }, "lifetimeHours"],
    [{ username: "validname", password: "password123", lifetimeHours: 169 }, "lifetimeHours"],
    [{ username: "validname", password: "password123", lifetimeHours: 1.5 }, "lifetimeHours"],
    [{ password: "password123" }, "username"],
  ])("refuses invalid input %j with 400 naming %s", async (body, field) => {
    const response = await api("/api/auth/signup", { body });
    expect(response.status).toBe(400);
    const { error } = await response.json<{ error: { code: string; message: string } }>();
    expect(error.code).toBe("invalid_input");
    expect(error.message).toContain(field);
  });

  it("answers malformed JSON with 400 and an error body", async () => {
    const response = await api("/api/auth/signup", { body: "{not json" });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: { code: "invalid_input" } });
  });

  it("answers an oversized body with 413", async () => {
    const response = await api("/api/auth/signup", { body: { username: "big", password: "x".repeat(20_000) } });
    expect(response.status).toBe(413);
    expect(await response.json()).toMatchObject({ error: { code: "payload_too_large" } });
  });

  it("rate limits sign-ups per IP with 429 and Retry-After", async () => {
    const headers = { "CF-Connecting-IP": `198.51.100.${Math.floor(Math.random() * 250)}-${crypto.randomUUID()}` };
    const statuses: number[] = [];
    for (let i = 0; i < 21; i++) {
      const response = await api("/api/auth/signup", { headers, body: { username: "x", password: "short" } });
      statuses.push(response.status);
      if (response.status === 429) {
        expect(Number(response.headers.get("Retry-After"))).toBeGreaterThan(0);
        expect(await response.json()).toMatchObject({ error: { code: "rate_limited" } });
      }
    }
    expect(statuses.slice(0, 20).every((status) => status === 400)).toBe(true);
    expect(statuses[20]).toBe(429);
  });

  it("refuses a state-changing request without our Origin", async () => {
    const body = { username: uniqueName(), password: "password123" };
    const missing = await api("/api/auth/signup", { body, origin: null });
    expect(missing.status).toBe(403);
    expect(await missing.json()).toMatchObject({ error: { code: "origin_required" } });
    const foreign = await api("/api/auth/signup", { body, origin: "https://evil.test" });
    expect(foreign.status).toBe(403);
    expect(await foreign.json()).toMatchObject({ error: { code: "origin_not_allowed" } });
  });
});

describe("login and logout", () => {
  it("signs in with the right password, in any case of the username", async () => {
    const username = uniqueName("Bo");
    const { user } = await signUp(username, "password123");
    const response = await api("/api/auth/login", {
      body: { username: username.toUpperCase(), password: "password123" },
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ user });
    const me = await api("/api/me", { cookie: sessionCookie(response) });
    expect(me.status).toBe(200);
  });

  it("refuses a wrong password and an unknown user alike with 401", async () => {
    const username = uniqueName();
    await signUp(username, "password123");
    const wrong = await api("/api/auth/login", { body: { username, password: "password124" } });
    const unknown = await api("/api/auth/login", { body: { username: uniqueName(), password: "password123" } });
    for (const response of [wrong, unknown]) {
      expect(response.status).toBe(401);
      expect(await response.json()).toMatchObject({ error: { code: "invalid_credentials" } });
    }
  });

  it("rate limits login attempts per username", async () => {
    const username = uniqueName();
    await signUp(username, "password123");
    const statuses: number[] = [];
    for (let i = 0; i < 11; i++) {
      statuses.push((await api("/api/auth/login", { body: { username, password: "wrong-password" } })).status);
    }
    expect(statuses.slice(0, 10).every((status) => status === 401)).toBe(true);
    expect(statuses[10]).toBe(429);
  });

  it("ends the session on the server at logout, and only that one", async () => {
    const username = uniqueName();
    const first = await signUp(username, "password123");
    const login = await api("/api/auth/login", { body: { username, password: "password123" } });
    const second = sessionCookie(login);
    expect((await api("/api/auth/logout", { method: "POST", cookie: first.cookie })).status).toBe(204);
    const reused = await api("/api/me", { cookie: first.cookie });
    expect(reused.status).toBe(401);
    expect(await reused.json()).toMatchObject({ error: { code: "session_ended" } });
    expect((await api("/api/me", { cookie: second })).status).toBe(200);
  });

  it("clears the cookie on logout", async () => {
    const { cookie } = await signUp();
    const response = await api("/api/auth/logout", { method: "POST", cookie });
    expect(response.status).toBe(204);
    expect(response.headers.get("Set-Cookie")).toMatch(/__Host-session=;.*Max-Age=0/);
  });
});

describe("sessions", () => {
  it("sets a __Host- cookie: Secure, HttpOnly, SameSite=Strict, on / and without a Domain", async () => {
    const response = await api("/api/auth/signup", {
      body: { username: uniqueName(), password: "correct horse battery" },
    });
    const setCookie = response.headers.get("Set-Cookie") ?? "";
    expect(setCookie).toMatch(/^__Host-session=/);
    expect(setCookie).toMatch(/Secure/);
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/SameSite=Strict/);
    expect(setCookie).toMatch(/Path=\//);
    expect(setCookie).not.toMatch(/Domain=/i);
  });

  it("refuses a request that carries two session cookies, whichever comes first", async () => {
    const ann = await signUp();
    const bob = await signUp();
    for (const cookie of [`__Host-session=garbage; ${ann.cookie}`, `${bob.cookie}; ${ann.cookie}`]) {
      const response = await api("/api/me", { cookie });
      expect(response.status).toBe(401);
      expect(await response.json()).toMatchObject({ error: { code: "session_ambiguous" } });
    }
  });

  it("answers 401 without a cookie, with a forged cookie, and with garbage", async () => {
    const { cookie } = await signUp();
    const [payload] = cookie.slice("__Host-session=".length).split(".");
    const forged = `__Host-session=${payload}.${"A".repeat(43)}`;
    for (const attempt of [undefined, forged, "__Host-session=garbage"]) {
      const response = await api("/api/me", { cookie: attempt });
      expect(response.status).toBe(401);
      expect((await response.json<{ error: { code: string } }>()).error.code).toMatch(/unauthorized|session_expired/);
    }
  });
});

import { describe, expect, it } from "vitest";
import { toBase64Url } from "../lib/encoding";
import { type SessionClaims, signSession, verifySession } from "./session-token";

const SECRET = "test-secret-for-session-tokens-0123456789";
const NOW = 1_800_000_000_000;
const claims: SessionClaims = {
  userId: "user-123",
  username: "ann",
  createdAt: NOW - 60_000,
  sessionId: "session-1",
  expiresAt: NOW + 60_000,
};

const encoder = new TextEncoder();

/** Signs any payload text the way signSession does, to make tokens it would never make. */
async function signRaw(payloadJson: string, secret = SECRET): Promise<string> {
  const payload = toBase64Url(encoder.encode(payloadJson));
  const key = await crypto.subtle.importKey("raw", encoder.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, [
    "sign",
  ]);
  const signature = new Uint8Array(await crypto.subtle.sign("HMAC", key, encoder.encode(payload)));
  return `${payload}.${toBase64Url(signature)}`;
}

/** Changes one character of a base64url text, keeping it valid base64url of the same length. */
const flipFirst = (text: string) => (text[0] === "A" ? "B" : "A") + text.slice(1);

describe("session tokens", () => {
  it("gives back the signed claims", async () => {
    const token = await signSession(claims, SECRET);
    expect(token).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    expect(await verifySession(token, SECRET, NOW)).toEqual(claims);
  });

  it("signs different claims differently", async () => {
    const token = await signSession(claims, SECRET);
    const other = await signSession({ ...claims, userId: "user-456" }, SECRET);
    expect(other).not.toBe(token);
    expect(await verifySession(other, SECRET, NOW)).toEqual({ ...claims, userId: "user-456" });
  });

  it("refuses a token whose payload was changed", async () => {
    const [, signature] = (await signSession(claims, SECRET)).split(".");
    const forgedPayload = toBase64Url(
      encoder.encode(JSON.stringify({ uid: "admin", sid: claims.sessionId, exp: claims.expiresAt })),
    );
    expect(await verifySession(`${forgedPayload}.${signature}`, SECRET, NOW)).toBeNull();
  });

  it("refuses a token whose signature was changed", async () => {
    const [payload, signature] = (await signSession(claims, SECRET)).split(".") as [string, string];
    expect(await verifySession(`${payload}.${flipFirst(signature)}`, SECRET, NOW)).toBeNull();
    expect(await verifySession(`${payload}.${signature.slice(0, -4)}`, SECRET, NOW)).toBeNull();
    expect(await verifySession(`${payload}.`, SECRET, NOW)).toBeNull();
  });

  it("refuses a token signed with another secret", async () => {
    const token = await signSession(claims, "another-secret-0123456789abcdef");
    expect(await verifySession(token, SECRET, NOW)).toBeNull();
  });

  it("refuses an expired token", async () => {
    const token = await signSession(claims, SECRET);
    expect(await verifySession(token, SECRET, claims.expiresAt - 1)).toEqual(claims);
    expect(await verifySession(token, SECRET, claims.expiresAt)).toBeNull();
    expect(await verifySession(token, SECRET, claims.expiresAt + 1)).toBeNull();
  });

  it("uses the current time when none is given", async () => {
    const live = await signSession({ ...claims, expiresAt: Date.now() + 60_000 }, SECRET);
    const dead = await signSession({ ...claims, expiresAt: Date.now() - 1 }, SECRET);
    expect(await verifySession(live, SECRET)).not.toBeNull();
    expect(await verifySession(dead, SECRET)).toBeNull();
  });

  it("refuses a correctly signed payload that holds no valid claims", async () => {
    for (const payload of [
      "not json",
      "null",
      "[]",
      "{}",
      '{"uid":1,"exp":1900000000000}',
      '{"uid":"u","exp":"1900000000000"}',
      '{"uid":"u","exp":1900000000000}',
    ]) {
      const token = await signRaw(payload);
      expect(await verifySession(token, SECRET, NOW), payload).toBeNull();
    }
    // The helper signs as signSession does, so a valid payload from it is accepted.
    // A token from before names and creation times were signed: those read as unknown.
    expect(await verifySession(await signRaw('{"uid":"u","sid":"s","exp":1900000000000}'), SECRET, NOW)).toEqual({
      userId: "u",
      username: "",
      createdAt: 0,
      sessionId: "s",
      expiresAt: 1_900_000_000_000,
    });
  });

  it("refuses garbage without throwing", async () => {
    const token = await signSession(claims, SECRET);
    const garbage = [
      "",
      ".",
      "..",
      "abc",
      "a.b",
      "a.b.c",
      `${token}.`,
      `${token}.extra`,
      `.${token}`,
      "!!!.@@@",
      "eyJ1aWQiOiJ1In0.A",
      "é.é",
      " ".repeat(10),
    ];
    for (const text of garbage) {
      await expect(verifySession(text, SECRET, NOW), JSON.stringify(text)).resolves.toBeNull();
    }
  });
});

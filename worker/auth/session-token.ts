import { fromBase64Url, toBase64Url } from "../lib/encoding";

/** What a session cookie proves: who, which sign-in, and until when (never past the account's expiry). */
export interface SessionClaims {
  userId: string;
  /** So that a signed-in read can go on while the Store is unreachable (empty in older tokens). */
  username: string;
  /** When the account was created (0 in older tokens). */
  createdAt: number;
  /** One per sign-in, so logging out can end this session and no other. */
  sessionId: string;
  /** Milliseconds since the epoch. */
  expiresAt: number;
}

const encoder = new TextEncoder();

/** `<payload>.<signature>`, both base64url; HMAC-SHA256 with the Worker secret. */
export async function signSession(claims: SessionClaims, secret: string): Promise<string> {
  const payload = toBase64Url(
    encoder.encode(
      JSON.stringify({
        uid: claims.userId,
        un: claims.username,
        ca: claims.createdAt,
        sid: claims.sessionId,
        exp: claims.expiresAt,
      }),
    ),
  );
  const signature = await crypto.subtle.sign("HMAC", await hmacKey(secret), encoder.encode(payload));
  return `${payload}.${toBase64Url(new Uint8Array(signature))}`;
}

/** The claims of a valid, unexpired token; null for anything else. */
export async function verifySession(token: string, secret: string, now = Date.now()): Promise<SessionClaims | null> {
  const [payload, signatureText, extra] = token.split(".");
  if (!payload || !signatureText || extra !== undefined) return null;
  const signature = fromBase64Url(signatureText);
  if (!signature) return null;
  const valid = await crypto.subtle.verify("HMAC", await hmacKey(secret), signature, encoder.encode(payload));
  if (!valid) return null;
  const bytes = fromBase64Url(payload);
  if (!bytes) return null;
  const claims = parseClaims(new TextDecoder().decode(bytes));
  if (!claims || claims.expiresAt <= now) return null;
  return claims;
}

function parseClaims(json: string): SessionClaims | null {
  try {
    const value = JSON.parse(json) as { uid?: unknown; un?: unknown; ca?: unknown; sid?: unknown; exp?: unknown };
    if (typeof value.uid !== "string" || typeof value.sid !== "string" || typeof value.exp !== "number") return null;
    return {
      userId: value.uid,
      username: typeof value.un === "string" ? value.un : "",
      createdAt: typeof value.ca === "number" ? value.ca : 0,
      sessionId: value.sid,
      expiresAt: value.exp,
    };
  } catch {
    return null;
  }
}

function hmacKey(secret: string): Promise<CryptoKey> {
  return crypto.subtle.importKey("raw", encoder.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, [
    "sign",
    "verify",
  ]);
}

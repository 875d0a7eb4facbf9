import { describe, expect, it } from "vitest";
import { toBase64Url } from "../lib/encoding";
import { DUMMY_HASH, hashPassword, PBKDF2_ITERATIONS, verifyPassword } from "./password";

/** A hash in the stored format, derived here with any iteration count. */
async function hashWith(
  password: string,
  iterations: number,
  salt = crypto.getRandomValues(new Uint8Array(16)),
): Promise<string> {
  const key = await crypto.subtle.importKey("raw", new TextEncoder().encode(password), "PBKDF2", false, ["deriveBits"]);
  const bits = await crypto.subtle.deriveBits({ name: "PBKDF2", hash: "SHA-256", salt, iterations }, key, 256);
  return `pbkdf2-sha256$${iterations}$${toBase64Url(salt)}$${toBase64Url(new Uint8Array(bits))}`;
}

/** Replaces one part of a stored hash (0 scheme, 1 iterations, 2 salt, 3 hash). */
function withPart(stored: string, index: number, value: string): string {
  const parts = stored.split("$");
  parts[index] = value;
  return parts.join("$");
}

/** Changes one character of a base64url text, keeping it valid base64url of the same length. */
const flipFirst = (text: string) => (text[0] === "A" ? "B" : "A") + text.slice(1);

describe("hashPassword", () => {
  it("records the scheme, the iteration count, a 16-byte salt and a 32-byte hash", async () => {
    const stored = await hashPassword("correct horse battery staple");
    expect(stored).toMatch(/^pbkdf2-sha256\$100000\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
    expect(PBKDF2_ITERATIONS).toBe(100_000);
  });

  it("salts every hash differently", async () => {
    const [first, second] = await Promise.all([hashPassword("same password"), hashPassword("same password")]);
    expect(first.split("$")[2]).not.toBe(second.split("$")[2]);
    expect(first.split("$")[3]).not.toBe(second.split("$")[3]);
  });
});

describe("verifyPassword", () => {
  it("accepts the password that was hashed", async () => {
    const stored = await hashPassword("correct horse battery staple");
    expect(await verifyPassword("correct horse battery staple", stored)).toBe(true);
  });

  it("accepts a non-ASCII password", async () => {
    const stored = await hashPassword("pässwörd 🔑");
    expect(await verifyPassword("pässwörd 🔑", stored)).toBe(true);
    expect(await verifyPassword("passwörd 🔑", stored)).toBe(false);
  });

  it("refuses a wrong password", async () => {
    const stored = await hashPassword("correct horse battery staple");
    expect(await verifyPassword("correct horse battery stapler", stored)).toBe(false);
    expect(await verifyPassword("Correct horse battery staple", stored)).toBe(false);
    expect(await verifyPassword("", stored)).toBe(false);
  });

  it("uses the iteration count the hash records", async () => {
    const stored = await hashWith("secret", 1_000);
    expect(await verifyPassword("secret", stored)).toBe(true);
    expect(await verifyPassword("secret", withPart(stored, 1, "1001"))).toBe(false);
  });

  it("refuses a hash or salt that was tampered with", async () => {
    const stored = await hashWith("secret", 1_000);
    const [, , salt, hash] = stored.split("$") as [string, string, string, string];
    expect(await verifyPassword("secret", withPart(stored, 3, flipFirst(hash)))).toBe(false);
    expect(await verifyPassword("secret", withPart(stored, 2, flipFirst(salt)))).toBe(false);
    expect(await verifyPassword("secret", withPart(stored, 3, hash.slice(0, -2)))).toBe(false);
    expect(await verifyPassword("secret", withPart(stored, 3, `${hash}AAAA`))).toBe(false);
  });

  it("refuses more iterations than Workers allow", async () => {
    const stored = await hashWith("secret", 1_000);
    await expect(verifyPassword("secret", withPart(stored, 1, String(PBKDF2_ITERATIONS + 1)))).resolves.toBe(false);
    await expect(verifyPassword("secret", withPart(stored, 1, "1000000000"))).resolves.toBe(false);
  });

  it("refuses a malformed hash without throwing", async () => {
    const stored = await hashWith("secret", 1_000);
    const malformed = [
      "",
      "not a hash",
      "$$$",
      withPart(stored, 0, "pbkdf2-sha512"),
      withPart(stored, 0, "bcrypt"),
      withPart(stored, 1, ""),
      withPart(stored, 1, "0"),
      withPart(stored, 1, "-1000"),
      withPart(stored, 1, "1000.5"),
      withPart(stored, 1, "abc"),
      withPart(stored, 2, ""),
      withPart(stored, 2, "not base64!"),
      withPart(stored, 3, ""),
      withPart(stored, 3, "not+base64/="),
      withPart(stored, 3, "A"),
      withPart(stored, 3, "AAAAA"),
      stored.split("$").slice(0, 3).join("$"),
    ];
    for (const hash of malformed) {
      await expect(verifyPassword("secret", hash), hash).resolves.toBe(false);
    }
  });

  it("refuses every password against the dummy hash", async () => {
    expect(await verifyPassword("", DUMMY_HASH)).toBe(false);
    expect(await verifyPassword("password", DUMMY_HASH)).toBe(false);
  });
});

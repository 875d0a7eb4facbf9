import { runInDurableObject } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import fc from "fast-check";
import { roomFor } from "../../durable-objects/addresses";
import { freshIp, ORIGIN } from "./helpers";

/**
 * One seed for every property of a run, printed so a failure can be replayed:
 * FC_SEED=<seed> npx vitest run --project workers test/workers/properties.test.ts
 */
export const SEED = seedFromEnv() ?? Date.now() % 2 ** 31;

function seedFromEnv(): number | undefined {
  const text = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.FC_SEED;
  const seed = text === undefined ? Number.NaN : Number(text);
  return Number.isInteger(seed) ? seed : undefined;
}

/** fast-check parameters for one property: the shared seed, a bounded number of runs, no shrinking past 2 s. */
export function runs(numRuns: number): fc.Parameters<unknown> {
  return { seed: SEED, numRuns, endOnFailure: false, interruptAfterTimeLimit: 20_000, markInterruptAsFailure: false };
}

const unit = (min: number, max: number) => fc.integer({ min, max }).map((code) => String.fromCharCode(code));
/** Control characters a body may not hold (tab and newline are allowed). */
export const controlChar = fc.oneof(unit(0x00, 0x08), unit(0x0b, 0x1f), unit(0x7f, 0x9f));
export const loneSurrogate = unit(0xd800, 0xdfff);
/** Any UTF-16 code unit, lone surrogates included. */
export const anyUnit = unit(0x0000, 0xffff);

/** Strings that have broken parsers, stores and object lookups elsewhere. */
export const nastyString = fc.oneof(
  fc.constantFrom(
    "",
    " ",
    "\t\n",
    "\r\n",
    "__proto__",
    "constructor",
    "prototype",
    "toString",
    "hasOwnProperty",
    "null",
    "undefined",
    "NaN",
    "-1",
    "0",
    "1e400",
    "\u202e",
    "\u200b\u200d",
    "\ufeff",
    "\ud800",
    "\udfff",
    "a\ud83d",
    "\u0000",
    "%00",
    "../..",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "😀",
  ),
  fc.string({ unit: anyUnit, maxLength: 40 }),
  fc.string({ unit: fc.oneof(controlChar, loneSurrogate, fc.constantFrom("a", " ")), minLength: 1, maxLength: 12 }),
  fc
    .tuple(fc.constantFrom("x", "é", "€", "😀", " ", "\u0000"), fc.integer({ min: 33, max: 20_000 }))
    .map(([char, count]) => char.repeat(count)),
);

/** Numbers as JSON text, including what JSON.stringify cannot write (1e400 parses to Infinity). */
export const oddNumberText = fc.oneof(
  fc.constantFrom(
    "-1",
    "0",
    "-0",
    "0.5",
    "1.5",
    "1e-7",
    "169",
    "1e9",
    "9007199254740993",
    "-9007199254740993",
    "1e308",
    "-1e308",
    "1e400",
    "-1e400",
    "123456789012345678901234567890",
  ),
  fc.double({ noNaN: true, noDefaultInfinity: true }).map((n) => JSON.stringify(n)),
  fc.integer().map(String),
);

/** An object whose own `__proto__` key is sent as data: JSON.parse keeps it as a plain key. */
export const protoObjectText = fc
  .dictionary(
    fc.constantFrom("username", "password", "userId", "id", "body", "type", "seq", "isAdmin"),
    fc.jsonValue({ maxDepth: 1 }),
    {
      maxKeys: 3,
    },
  )
  .map((inner) => `{"__proto__":${JSON.stringify(inner)}}`);

/** Any JSON value as text: odd types, odd strings, odd numbers, `__proto__` objects. */
export const anyValueText = fc.oneof(
  fc.jsonValue({ maxDepth: 2 }).map((value) => JSON.stringify(value)),
  nastyString.map((text) => JSON.stringify(text)),
  oddNumberText,
  protoObjectText,
  fc.constantFrom("null", "true", "false", "[]", "{}", '[""]'),
);

/** Keys an attacker adds to a body or a frame beside the expected ones. */
export const extraKey = fc.oneof(
  fc.constantFrom("__proto__", "constructor", "prototype", "isAdmin", "role", "senderId", "seq", "conversationId"),
  fc.string({ unit: anyUnit, maxLength: 12 }),
);

export type FieldText = [key: string, valueText: string];

/** A JSON object written field by field, so keys like `__proto__` and duplicate keys reach the server as sent. */
export function objectText(fields: FieldText[]): string {
  return `{${fields.map(([key, value]) => `${JSON.stringify(key)}:${value}`).join(",")}}`;
}

/**
 * Fields of a body where each named field is valid, invalid or absent, with extra fields mixed in
 * (never the named keys themselves, so the last-wins rule of duplicate keys cannot blur the case).
 */
export function bodyFields(spec: Record<string, { valid: fc.Arbitrary<string>; invalid: fc.Arbitrary<string> }>) {
  const names = Object.keys(spec);
  const perField = names.map((name) =>
    fc.oneof(
      { arbitrary: fc.constant(null), weight: 1 },
      { arbitrary: spec[name]!.valid.map((text): FieldText => [name, text]), weight: 2 },
      { arbitrary: spec[name]!.invalid.map((text): FieldText => [name, text]), weight: 2 },
    ),
  );
  const extras = fc.array(
    fc.tuple(
      extraKey.filter((key) => !names.includes(key)),
      anyValueText,
    ),
    { maxLength: 3 },
  );
  return fc.tuple(fc.tuple(...perField), extras, fc.boolean()).map(([fields, extra, extrasFirst]) => {
    const named = fields.filter((field): field is FieldText => field !== null);
    return extrasFirst ? [...extra, ...named] : [...named, ...extra];
  });
}

/** A request body as raw text: an object of fields, or something that is not one at all. */
export function bodyText(fields: fc.Arbitrary<FieldText[]>): fc.Arbitrary<string> {
  return fc.oneof(
    { arbitrary: fields.map(objectText), weight: 8 },
    { arbitrary: anyValueText, weight: 1 },
    { arbitrary: fc.constantFrom("", "{", "{]", "not json", '{"a":1}garbage', "\ufeff{}", "{'a':1}"), weight: 1 },
    { arbitrary: fc.integer({ min: 16 * 1024 - 16, max: 40_000 }).map((n) => `{"x":"${"a".repeat(n)}"}`), weight: 1 },
  );
}

export function tryParse(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** An own property only: a key read through the prototype chain is not in the body. */
export function own(value: Record<string, unknown>, key: string): unknown {
  return Object.hasOwn(value, key) ? value[key] : undefined;
}

export const CONTENT_TYPES = [
  "application/json",
  "application/json; charset=utf-8",
  "text/plain",
  "",
  "application/x-www-form-urlencoded",
];

interface RawCall {
  method: string;
  body?: string;
  cookie?: string;
  contentType?: string;
  origin?: string | null;
  headers?: Record<string, string>;
}

/** A request exactly as given: the raw body text and content type, a fresh client IP. */
export function rawCall(path: string, call: RawCall): Promise<Response> {
  const headers = new Headers(call.headers);
  headers.set("CF-Connecting-IP", freshIp());
  if (call.origin !== null) headers.set("Origin", call.origin ?? ORIGIN);
  if (call.cookie) headers.set("Cookie", call.cookie);
  if (call.contentType) headers.set("Content-Type", call.contentType);
  return exports.default.fetch(`${ORIGIN}${path}`, { method: call.method, headers, body: call.body });
}

/** The embedded Store's object: counts of its rows are the "stored change" of REST calls. */
function storeHost() {
  return env.STORE_HOSTS.get(env.STORE_HOSTS.idFromName("embedded"));
}

/** Rows in every table of the embedded Store. */
export async function storeCounts(): Promise<Record<string, number>> {
  return runInDurableObject(storeHost(), (_host, state) => {
    const counts: Record<string, number> = {};
    const tables = state.storage.sql
      .exec<{ name: string }>(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '\\_%' ESCAPE '\\'",
      )
      .toArray();
    for (const { name } of tables) {
      if (name.startsWith("sqlite_")) continue;
      counts[name] = state.storage.sql.exec<{ n: number }>(`SELECT COUNT(*) AS n FROM "${name}"`).one().n;
    }
    return counts;
  });
}

/** Everything a room stores that a frame could change: its messages and its members' cursors and budgets. */
export async function roomState(conversationId: string): Promise<unknown> {
  return runInDurableObject(roomFor(env, conversationId), (_room, state) => ({
    messages: state.storage.sql
      .exec("SELECT seq, id, sender_id, body, sent_at, deleted FROM messages ORDER BY seq")
      .toArray(),
    members: state.storage.sql
      .exec("SELECT user_id, username, read_seq, unread, stored_chars FROM members ORDER BY user_id")
      .toArray(),
  }));
}

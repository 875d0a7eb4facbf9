import { env } from "cloudflare:workers";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hubFor, roomFor } from "../../durable-objects/addresses";
import { HISTORY_PAGE_MAX, USERNAME_PATTERN } from "../../protocol/api";
import { API_ERROR_CODES, FRAME_ERROR_CODES, type FrameErrorCode } from "../../protocol/errors";
import { WIRE_LIMITS } from "../../protocol/wire";
import {
  anyUnit,
  anyValueText,
  bodyFields,
  bodyText,
  CONTENT_TYPES,
  controlChar,
  extraKey,
  type FieldText,
  isPlainObject,
  loneSurrogate,
  nastyString,
  objectText,
  oddNumberText,
  own,
  rawCall,
  roomState,
  runs,
  SEED,
  storeCounts,
  tryParse,
} from "./fuzz";
import {
  api,
  connect,
  type Frame,
  openSocket,
  roomPath,
  type Session,
  signUp,
  type TestSocket,
  uniqueName,
} from "./helpers";

const HUB = "/api/me/ws";
const MAX_BODY_BYTES = 16 * 1024;
/** Cases each property tried, printed at the end for the report. */
const tried: Record<string, number> = {};
const count = (name: string) => {
  tried[name] = (tried[name] ?? 0) + 1;
};

beforeAll(() => console.log(`fast-check seed ${SEED} (replay with FC_SEED=${SEED})`));
afterAll(() => console.log(`cases tried: ${JSON.stringify(tried)}`));

const utf8 = (text: string) => new TextEncoder().encode(text).byteLength;

/** A 4xx with a code from the closed list, never a 5xx. */
async function expectRefusal(response: Response, statuses: number[]): Promise<string> {
  const text = await response.text();
  expect(statuses, `status ${response.status}: ${text.slice(0, 300)}`).toContain(response.status);
  const code = (tryParse(text) as { value?: { error?: { code?: string } } }).value?.error?.code;
  expect(API_ERROR_CODES, `code of ${text.slice(0, 300)}`).toContain(code);
  return code!;
}

function isJsonType(contentType: string): boolean {
  return contentType.startsWith("application/json");
}

describe("REST bodies and queries: a 4xx with a listed code, never a 5xx, nothing stored", { timeout: 60_000 }, () => {
  let ann: Session;
  let bob: Session;
  let conversationId: string;

  beforeAll(async () => {
    ann = await signUp();
    bob = await signUp();
    conversationId = await connect(ann, bob);
    const socket = await openSocket(roomPath(conversationId), bob.cookie);
    for (const [id, body] of [
      ["h1", "one"],
      ["h2", "two"],
      ["h3", "three"],
    ]) {
      socket.send({ type: "send", id, body });
      await socket.next((frame) => frame.type === "ack" && frame.id === id);
    }
    socket.close();
  });

  it("POST /api/auth/signup", async () => {
    const fields = bodyFields({
      username: { valid: fc.constantFrom('"@fresh"', '"@FRESH"'), invalid: anyValueText },
      password: {
        valid: fc.string({ unit: anyUnit, minLength: 8, maxLength: 128 }).map((p) => JSON.stringify(p)),
        invalid: fc.oneof(anyValueText, fc.constantFrom('"short"', `"${"p".repeat(129)}"`, '""')),
      },
      lifetimeHours: {
        valid: fc.integer({ min: 1, max: 168 }).map(String),
        invalid: fc.oneof(oddNumberText, anyValueText),
      },
    });
    await fc.assert(
      fc.asyncProperty(bodyText(fields), fc.constantFrom(...CONTENT_TYPES), async (template, contentType) => {
        count("signup");
        const name = uniqueName("fz");
        const body = template
          .replaceAll('"@fresh"', JSON.stringify(name))
          .replaceAll('"@FRESH"', JSON.stringify(name.toUpperCase()));
        const parsed = tryParse(body);
        const valid =
          parsed.ok &&
          isJsonType(contentType) &&
          utf8(body) <= MAX_BODY_BYTES &&
          isPlainObject(parsed.value) &&
          validSignup(parsed.value);
        const before = await storeCounts();
        const response = await rawCall("/api/auth/signup", { method: "POST", body, contentType });
        if (valid) {
          const text = await response.text();
          expect(response.status, text).toBe(201);
          const { user } = JSON.parse(text) as { user: { username: string; createdAt: string; expiresAt: string } };
          const value = parsed.value as Record<string, unknown>;
          expect(user.username).toBe(String(own(value, "username")).toLowerCase());
          const hours = (Date.parse(user.expiresAt) - Date.parse(user.createdAt)) / 3_600_000;
          expect(hours).toBe(own(value, "lifetimeHours") ?? 24);
          return;
        }
        await expectRefusal(response, utf8(body) > MAX_BODY_BYTES ? [413] : [400, 413]);
        expect(response.headers.get("Set-Cookie")).toBeNull();
        expect(await storeCounts()).toEqual(before);
      }),
      runs(150),
    );
  });

  it("POST /api/auth/login", async () => {
    const fields = bodyFields({
      username: {
        valid: fc.constantFrom('"@ann"', '"@ANN"', '"nobody_here"', `"${"n".repeat(64)}"`),
        invalid: anyValueText,
      },
      password: { valid: fc.constantFrom('"@right"', '"wrong password"', '""'), invalid: anyValueText },
    });
    await fc.assert(
      fc.asyncProperty(bodyText(fields), fc.constantFrom(...CONTENT_TYPES), async (template, contentType) => {
        count("login");
        const body = template
          .replaceAll('"@ann"', JSON.stringify(ann.user.username))
          .replaceAll('"@ANN"', JSON.stringify(ann.user.username.toUpperCase()))
          .replaceAll('"@right"', JSON.stringify("correct horse battery"));
        const parsed = tryParse(body);
        const value = parsed.ok && isPlainObject(parsed.value) ? parsed.value : null;
        const username = value && own(value, "username");
        const password = value && own(value, "password");
        const shaped =
          isJsonType(contentType) &&
          utf8(body) <= MAX_BODY_BYTES &&
          typeof username === "string" &&
          username.length <= 64 &&
          typeof password === "string" &&
          password.length <= 128;
        const before = await storeCounts();
        const response = await rawCall("/api/auth/login", { method: "POST", body, contentType });
        if (shaped && username.toLowerCase() === ann.user.username && password === "correct horse battery") {
          // The right password: in, unless this username was tried too often.
          expect([200, 429]).toContain(response.status);
          await response.body?.cancel();
        } else {
          const code = await expectRefusal(response, shaped ? [401, 429] : [400, 413]);
          if (shaped) expect(["invalid_credentials", "rate_limited"]).toContain(code);
          expect(response.headers.get("Set-Cookie")).toBeNull();
        }
        expect(await storeCounts()).toEqual(before);
      }),
      runs(100),
    );
  });

  it("POST /api/auth/logout with any cookie, body and Origin ends no other session", async () => {
    const victim = await signUp();
    const printable = fc.string({
      unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)),
      maxLength: 80,
    });
    const tampered = fc
      .tuple(fc.nat(), fc.constantFrom("A", "_", "-", "."))
      .map(([at, char]) => {
        const cookie = victim.cookie;
        const index = "__Host-session=".length + (at % (cookie.length - "__Host-session=".length));
        return cookie.slice(0, index) + char + cookie.slice(index + 1);
      })
      .filter((cookie) => cookie !== victim.cookie);
    const cookie = fc.oneof(
      fc.constant(undefined),
      tampered,
      printable.map((text) => `__Host-session=${text}`),
      printable.map((text) => `session=${text}`),
      printable,
      fc.constant(`__Host-session=a; ${victim.cookie}`),
      fc.constant(`__Host-session=${"x".repeat(8000)}`),
    );
    const origin = fc.oneof(
      fc.constant(undefined),
      fc.constant(null),
      fc.constantFrom("null", "https://evil.test", "https://chat.test.evil.test"),
    );
    await fc.assert(
      fc.asyncProperty(cookie, anyValueText, origin, async (cookieHeader, body, originHeader) => {
        count("logout");
        const before = await storeCounts();
        const response = await rawCall("/api/auth/logout", {
          method: "POST",
          body,
          contentType: "application/json",
          cookie: cookieHeader,
          origin: originHeader,
        });
        if (response.status === 204) await response.body?.cancel();
        else await expectRefusal(response, [400, 401, 403, 413]);
        // Two cookies, one of them the victim's, are refused as a whole: the victim stays signed in.
        expect((await api("/api/me", { cookie: victim.cookie })).status).toBe(200);
        expect(await storeCounts()).toEqual(before);
      }),
      runs(100),
    );
  });

  it("GET /api/users?q=", async () => {
    const qValue = fc.oneof(
      nastyString.filter((text) => text.isWellFormed()).map((text) => ({ raw: encodeURIComponent(text), text })),
      fc.constantFrom("%", "%zz", "%FF", "%C0%AF", "%ED%A0%80", "a%", "+", "%2B").map((raw) => ({ raw, text: null })),
    );
    const query = fc.array(fc.tuple(fc.constantFrom("q", "q", "Q", "q[]", "limit"), qValue), { maxLength: 3 });
    // Search is limited per user (RATE_RULES.searchPerUser): a new searcher every 25 runs stays under it.
    let searches = 0;
    let searcher = ann;
    await fc.assert(
      fc.asyncProperty(query, async (params) => {
        count("users");
        if (++searches % 25 === 0) searcher = await signUp();
        const search = params.map(([key, value]) => `${key}=${value.raw}`).join("&");
        const response = await api(`/api/users?${search}`, { cookie: searcher.cookie });
        const qs = params.filter(([key]) => key === "q").map(([, value]) => value.text);
        const single = qs.length === 1 ? qs[0] : undefined;
        const expected =
          typeof single === "string" ? (single.trim().length >= 1 && single.trim().length <= 32 ? 200 : 400) : null;
        if (expected === 400 || qs.length !== 1) {
          await expectRefusal(response, [400]);
          return;
        }
        if (expected === 200) expect(response.status).toBe(200);
        if (response.status !== 200) return void (await expectRefusal(response, [400]));
        const { users } = await response.json<{ users: { id: string }[] }>();
        expect(users.length).toBeLessThanOrEqual(20);
        expect(users.map((user) => user.id)).not.toContain(searcher.user.id);
      }),
      runs(150),
    );
  });

  it("POST /api/connections", async () => {
    const fields = bodyFields({
      userId: {
        valid: fc.constantFrom('"@self"', '"@bob"', '"@unknown"', `"${"u".repeat(64)}"`),
        invalid: fc.oneof(anyValueText, fc.constant(`"${"u".repeat(65)}"`)),
      },
    });
    await fc.assert(
      fc.asyncProperty(bodyText(fields), fc.constantFrom(...CONTENT_TYPES), async (template, contentType) => {
        count("connections.post");
        const body = template
          .replaceAll('"@self"', JSON.stringify(ann.user.id))
          .replaceAll('"@bob"', JSON.stringify(bob.user.id))
          .replaceAll('"@unknown"', JSON.stringify(crypto.randomUUID()));
        const parsed = tryParse(body);
        const value = parsed.ok && isPlainObject(parsed.value) ? parsed.value : null;
        const userId = value && own(value, "userId");
        const shaped =
          isJsonType(contentType) &&
          utf8(body) <= MAX_BODY_BYTES &&
          typeof userId === "string" &&
          userId.length >= 1 &&
          userId.length <= 64;
        const before = await storeCounts();
        const response = await rawCall("/api/connections", { method: "POST", body, contentType, cookie: ann.cookie });
        if (shaped && userId === bob.user.id) {
          // Already connected: the same connection again, nothing new.
          expect(response.status).toBe(200);
          await response.body?.cancel();
        } else if (shaped) {
          const code = await expectRefusal(response, [400, 404]);
          expect(code).toBe(userId === ann.user.id ? "cannot_connect_self" : "user_not_found");
        } else {
          await expectRefusal(response, [400, 413]);
        }
        expect(await storeCounts()).toEqual(before);
      }),
      runs(150),
    );
  });

  it("DELETE /api/connections/:userId of anyone but the contact removes nothing", async () => {
    const segment = fc.oneof(
      nastyString.filter((text) => text.isWellFormed() && text !== bob.user.id).map((text) => encodeURIComponent(text)),
      fc.constantFrom("%", "%zz", "%FF", "%ED%A0%80", "..", "%2E%2E", "%2F", "a%2Fb", `${bob.user.id}%00`, ann.user.id),
      fc.constant(`${bob.user.id.toUpperCase()}`),
    );
    const room = await roomState(conversationId);
    await fc.assert(
      fc.asyncProperty(segment, async (userId) => {
        count("connections.delete");
        const before = await storeCounts();
        const response = await api(`/api/connections/${userId}`, { method: "DELETE", cookie: ann.cookie });
        if (response.status === 204) await response.body?.cancel();
        else await expectRefusal(response, [400, 404]);
        expect(await storeCounts()).toEqual(before);
        expect(await roomState(conversationId)).toEqual(room);
      }),
      runs(150),
    );
  });

  it("GET /api/conversations/:id/messages?before=&limit=", async () => {
    const number = fc.oneof(
      fc.integer({ min: -5, max: 205 }).map(String),
      fc.constantFrom(
        "",
        " 1",
        "1 ",
        "+1",
        "1.0",
        "1e2",
        "0x10",
        "\u0663",
        "000000001",
        "0000000001",
        "999999999",
        "1000000000",
        "-0",
        "NaN",
        "Infinity",
      ),
      nastyString.filter((text) => text.isWellFormed()),
    );
    const param = fc.tuple(fc.constantFrom("before", "limit", "before", "limit", "Limit", "after"), number);
    const id = fc.oneof(
      { arbitrary: fc.constant("@real"), weight: 4 },
      { arbitrary: nastyString.filter((text) => text.isWellFormed() && text.length > 0), weight: 1 },
    );
    const room = await roomState(conversationId);
    await fc.assert(
      fc.asyncProperty(id, fc.array(param, { maxLength: 3 }), async (target, params) => {
        count("history");
        const real = target === "@real";
        const path = real ? conversationId : encodeURIComponent(target);
        const search = params.map(([key, value]) => `${key}=${encodeURIComponent(value)}`).join("&");
        const response = await api(`/api/conversations/${path}/messages?${search}`, { cookie: ann.cookie });
        const values = (key: string) => params.filter(([name]) => name === key).map(([, value]) => value);
        const count9 = (text: string | undefined) =>
          text !== undefined && /^\d{1,9}$/.test(text) ? Number(text) : null;
        const [before] = values("before");
        const [limit] = values("limit");
        const validQuery =
          values("before").length <= 1 &&
          values("limit").length <= 1 &&
          (before === undefined || (count9(before) ?? 0) >= 1) &&
          (limit === undefined || ((count9(limit) ?? 0) >= 1 && (count9(limit) ?? 0) <= HISTORY_PAGE_MAX));
        if (!validQuery) {
          await expectRefusal(response, [400, 403, 404]);
        } else if (!real) {
          await expectRefusal(response, [403, 404]);
        } else {
          expect(response.status).toBe(200);
          const page = await response.json<{ messages: { seq: number }[]; hasMore: boolean }>();
          expect(page.messages.length).toBeLessThanOrEqual(limit === undefined ? 50 : Number(limit));
          for (const message of page.messages)
            expect(message.seq).toBeLessThan(before === undefined ? Infinity : Number(before));
          expect(typeof page.hasMore).toBe("boolean");
        }
        expect(await roomState(conversationId)).toEqual(room);
      }),
      runs(200),
    );
  });
});

function validSignup(value: Record<string, unknown>): boolean {
  const username = own(value, "username");
  const password = own(value, "password");
  const hours = own(value, "lifetimeHours");
  return (
    typeof username === "string" &&
    USERNAME_PATTERN.test(username) &&
    typeof password === "string" &&
    password.length >= 8 &&
    password.length <= 128 &&
    (hours === undefined || (typeof hours === "number" && Number.isInteger(hours) && hours >= 1 && hours <= 168))
  );
}

/** A frame known to be refused, and the code it must be refused with ("any" for random bytes). */
interface BadFrame {
  data: string | Uint8Array;
  code: FrameErrorCode | "any";
}

const validId = fc.string({
  unit: fc.constantFrom(..."abcXYZ019_-".split("")),
  minLength: 1,
  maxLength: WIRE_LIMITS.maxClientIdChars,
});
const invalidId = fc.oneof(
  anyValueText.filter((text) => {
    const parsed = tryParse(text);
    return !(parsed.ok && typeof parsed.value === "string" && /^[A-Za-z0-9_-]{1,64}$/.test(parsed.value));
  }),
  fc.constantFrom(
    '""',
    `"${"a".repeat(65)}"`,
    '"has space"',
    '"dot.ted"',
    '"new\\nline"',
    '"\\u0000"',
    '"\\ud800"',
    '"é"',
  ),
);
const visible = fc.constantFrom("a", "Z", "é", "😀", "字", "!", "\u202eevil\u202c");
/** Bodies API.md refuses: nothing visible, a control character, a lone surrogate, too long, not a string. */
const invalidBody = fc.oneof(
  fc.constantFrom('""', '"   "', '"\\t\\n"', '"\\u200b\\u200d"', '"\\u202e"', '"\\ufeff"', '"\\u2800"', '"\\u3164"'),
  fc.tuple(visible, controlChar, visible).map((parts) => JSON.stringify(parts.join(""))),
  fc.tuple(visible, loneSurrogate, visible).map((parts) => JSON.stringify(parts.join(""))),
  fc.integer({ min: WIRE_LIMITS.maxBodyChars + 1, max: 5_000 }).map((n) => JSON.stringify(`${"x".repeat(n)}`)),
  fc.constantFrom("null", "1", "true", "[]", "{}", '["hi"]', '{"__proto__":"hi"}'),
);
const invalidSeq = fc.constantFrom(
  "-1",
  "0.5",
  "1e-7",
  "-1e400",
  "1e400",
  '"1"',
  "null",
  "true",
  "[]",
  "{}",
  '{"__proto__":1}',
  "-9007199254740993",
);
const extras = fc.array(fc.tuple(extraKey, anyValueText), { maxLength: 2 });

/** A frame of a known type with at least one field wrong or missing. */
const invalidKnownFrame: fc.Arbitrary<BadFrame> = fc
  .oneof(
    // Exactly one field of a send is broken, so the refusal cannot come from another one.
    fc
      .oneof(
        fc.tuple(validId, invalidBody).map(([id, body]): FieldText[] => [
          ["id", JSON.stringify(id)],
          ["body", body],
        ]),
        invalidId.map((id): FieldText[] => [
          ["id", id],
          ["body", '"fine"'],
        ]),
        fc.constant<FieldText[]>([["body", '"fine"']]),
        validId.map((id): FieldText[] => [["id", JSON.stringify(id)]]),
      )
      .map((fields): FieldText[] => [["type", '"send"'], ...fields]),
    fc
      .option(fc.oneof(anyValueText, fc.constantFrom('"true"', "1", "0", "null")))
      .map((on): FieldText[] => [
        ["type", '"typing"'],
        ...(on !== null && on !== "true" && on !== "false" ? [["on", on] as FieldText] : []),
      ]),
    fc.tuple(fc.constantFrom("read:seq", "resume:afterSeq", "delete:seq"), fc.option(invalidSeq)).map(([kind, seq]) => {
      const [type, field] = kind.split(":") as [string, string];
      return [["type", JSON.stringify(type)], ...(seq !== null ? [[field, seq] as FieldText] : [])] as FieldText[];
    }),
    fc.constantFrom<FieldText[]>([
      ["type", '"delete"'],
      ["seq", "0"],
    ]),
  )
  .chain((fields) =>
    extras.map((extra) => [...fields, ...extra.filter(([key]) => !fields.some(([name]) => name === key))]),
  )
  .map((fields) => ({ data: objectText(fields), code: "invalid_frame" as const }));

const badFrame: fc.Arbitrary<BadFrame> = fc.oneof(
  { arbitrary: invalidKnownFrame, weight: 6 },
  {
    // Not JSON at all ("ping" is a heartbeat, answered by the platform).
    arbitrary: fc
      .oneof(nastyString, fc.constantFrom("{", '{"type":"send"', "undefined", "NaN", "{'type':'send'}", "\ufeff{}"))
      .filter((text) => text !== "ping" && utf8(text) <= WIRE_LIMITS.maxFrameBytes && !tryParse(text).ok)
      .map((data) => ({ data, code: "invalid_json" as const })),
    weight: 2,
  },
  {
    // JSON without a known type: other values, no type, a wrong or prototype-named type.
    arbitrary: fc
      .oneof(
        anyValueText,
        fc
          .tuple(
            fc.oneof(nastyString, fc.constantFrom("Send", "send ", "SEND", "hello", "ack", "message", "error")),
            extras,
          )
          .map(([type, extra]) => objectText([["type", JSON.stringify(type)], ...extra])),
        fc.constantFrom('{"__proto__":{"type":"send"},"id":"x","body":"y"}', '{"type":["send"],"id":"x","body":"y"}'),
      )
      .filter((text) => {
        if (utf8(text) > WIRE_LIMITS.maxFrameBytes) return false;
        const parsed = tryParse(text);
        const type = parsed.ok ? (parsed.value as { type?: unknown } | null)?.type : undefined;
        return parsed.ok && !["send", "typing", "read", "resume", "delete"].includes(type as string);
      })
      .map((data) => ({ data, code: "unknown_type" as const })),
    weight: 2,
  },
  {
    arbitrary: fc
      .tuple(fc.constantFrom("x", "é", "€", "😀"), fc.integer({ min: 0, max: 4_000 }))
      .map(([char, extra]) => {
        const body = char.repeat(Math.ceil((WIRE_LIMITS.maxFrameBytes + 1) / utf8(char)) + extra);
        return { data: JSON.stringify({ type: "send", id: "big", body }), code: "frame_too_large" as const };
      }),
    weight: 1,
  },
  {
    arbitrary: fc
      .uint8Array({ minLength: 0, maxLength: 64 })
      .filter((bytes) => new TextDecoder().decode(bytes) !== "ping")
      .map((data) => ({ data, code: "any" as const })),
    weight: 1,
  },
);

/**
 * A room socket that takes one refused frame at a time. It opens a fresh socket before the
 * refusals would reach the 1008 limit: that close is right, but not what is under test.
 */
class Probe {
  private socket: TestSocket | null = null;
  private violations = 0;
  private barriers = 0;

  constructor(
    private readonly path: string,
    private readonly cookie: string,
  ) {}

  async current(): Promise<TestSocket> {
    if (this.socket && this.violations < WIRE_LIMITS.maxViolations - 2 && !this.socket.closed) return this.socket;
    this.socket?.close();
    this.socket = await openSocket(this.path, this.cookie);
    await this.socket.nextOfType("hello");
    this.violations = 0;
    return this.socket;
  }

  /** Sends a frame and returns the error frame it earned; the socket must stay open. */
  async refused(data: string | Uint8Array): Promise<Frame> {
    const socket = await this.current();
    socket.ws.send(data);
    this.violations += 1;
    const error = await socket.nextOfType("error", 3000);
    expect(socket.closed, "socket closed after one refusal").toBeNull();
    expect(socket.pending("ack")).toEqual([]);
    expect(socket.pending("message")).toEqual([]);
    return error;
  }

  /** Sends a frame, then a frame that is surely refused: everything the first earned arrives before its error. */
  async settled(data: string): Promise<{ socket: TestSocket; frames: Frame[] }> {
    const socket = await this.current();
    this.barriers += 1;
    const marker = `barrier-${this.barriers}`;
    socket.ws.send(data);
    socket.send({ type: marker });
    this.violations += 1;
    const frames: Frame[] = [];
    for (;;) {
      const frame = await socket.next(() => true, 3000);
      if (frame.type === "error" && String(frame.message).includes(marker)) break;
      frames.push(frame);
    }
    expect(socket.closed).toBeNull();
    return { socket, frames };
  }

  /** Counts a refusal the caller saw in `settled`. */
  violation(): void {
    this.violations += 1;
  }

  close(): void {
    this.socket?.close();
    this.socket = null;
  }
}

describe("WebSocket frames: an error frame with a listed code, never a 1011 close, nothing stored", {
  timeout: 60_000,
}, () => {
  it("room: refused frames of every kind leave the room as it was", async () => {
    const ann = await signUp();
    const bob = await signUp();
    const conversationId = await connect(ann, bob);
    const probe = new Probe(roomPath(conversationId), ann.cookie);
    const watcher = await openSocket(roomPath(conversationId), bob.cookie);
    const seed = await probe.current();
    seed.send({ type: "send", id: "kept", body: "a message that stays as it is" });
    await seed.nextOfType("ack");
    await seed.nextOfType("message");
    await watcher.nextOfType("message");
    const before = await roomState(conversationId);
    await fc.assert(
      fc.asyncProperty(badFrame, async (frame) => {
        const size = typeof frame.data === "string" ? utf8(frame.data) : frame.data.byteLength;
        const code = size > WIRE_LIMITS.maxFrameBytes ? "frame_too_large" : frame.code;
        count(`room.${code}`);
        const error = await probe.refused(frame.data);
        expect(FRAME_ERROR_CODES).toContain(error.code);
        if (code !== "any") expect(error.code, String(error.message)).toBe(code);
        expect(await roomState(conversationId)).toEqual(before);
      }),
      runs(300),
    );
    expect(watcher.pending("message")).toEqual([]);
    expect(watcher.closed).toBeNull();
    probe.close();
    watcher.close();
  });

  it("room: odd but valid frames (extra and __proto__ fields, edge values) do exactly what API.md says", async () => {
    const ann = await signUp();
    const bob = await signUp();
    const conversationId = await connect(ann, bob);
    const bobSocket = await openSocket(roomPath(conversationId), bob.cookie);
    bobSocket.send({ type: "send", id: "bobs", body: "bob's own message" });
    await bobSocket.nextOfType("ack");
    bobSocket.close();
    let sendsOnSocket = 0;
    const probe = new Probe(roomPath(conversationId), ann.cookie);
    const validBody = fc
      .tuple(
        fc.constantFrom("", " ", "\t", "\n "),
        fc.array(fc.oneof(visible, fc.constantFrom(" ", "\t", "\n", "\u200d")), { maxLength: 8 }),
        visible,
        fc.constantFrom("", " ", "\n"),
      )
      .map(([lead, middle, last, trail]) => `${lead}${middle.join("")}${last}${trail}`);
    const seqText = fc.oneof(
      fc.integer({ min: 0, max: 12 }).map(String),
      fc.constantFrom("-0", "1e20", "9007199254740993", "1.0", "1e308"),
    );
    const op = fc.oneof(
      fc.record({
        kind: fc.constant("send" as const),
        id: fc.oneof(validId, fc.constantFrom("__proto__", "constructor", "toString", "bobs")),
        body: validBody,
      }),
      fc.record({ kind: fc.constant("typing" as const), on: fc.boolean() }),
      fc.record({ kind: fc.constant("read" as const), seq: seqText }),
      fc.record({ kind: fc.constant("resume" as const), seq: seqText }),
      fc.record({ kind: fc.constant("delete" as const), seq: fc.integer({ min: 1, max: 12 }).map(String) }),
    );
    await fc.assert(
      fc.asyncProperty(op, extras, async (action, extra) => {
        const fields: FieldText[] = [["type", JSON.stringify(action.kind)]];
        if (action.kind === "send")
          fields.push(["id", JSON.stringify(action.id)], ["body", JSON.stringify(action.body)]);
        if (action.kind === "typing") fields.push(["on", String(action.on)]);
        if (action.kind === "read" || action.kind === "delete") fields.push(["seq", action.seq]);
        if (action.kind === "resume") fields.push(["afterSeq", action.seq]);
        const frame = objectText([...fields, ...extra.filter(([key]) => !fields.some(([name]) => name === key))]);
        // Extra fields must not push the frame over the size limit: that case is refused, above.
        fc.pre(utf8(frame) <= WIRE_LIMITS.maxFrameBytes);
        count(`room.valid.${action.kind}`);
        if ((action.kind === "send" || action.kind === "delete") && sendsOnSocket >= WIRE_LIMITS.sendBurst - 2) {
          probe.close();
          sendsOnSocket = 0;
        }
        type Row = { seq: number; id: string; sender_id: string; body: string; deleted: number };
        type State = { messages: Row[]; members: { user_id: string; read_seq: number }[] };
        const before = (await roomState(conversationId)) as State;
        const { frames } = await probe.settled(frame);
        const after = (await roomState(conversationId)) as State;
        const lastSeq = before.messages.at(-1)?.seq ?? 0;
        const readOf = (state: State) => state.members.find((m) => m.user_id === ann.user.id)?.read_seq;
        const strip = (rows: Row[]) =>
          rows.map(({ seq, id, sender_id, body, deleted }) => ({ seq, id, sender_id, body, deleted }));
        const expected = strip(before.messages);
        let expectedRead = readOf(before);
        const errors = frames.filter((f) => f.type === "error");
        for (const error of errors) {
          expect(FRAME_ERROR_CODES).toContain(error.code);
          probe.violation();
        }
        const codes = errors.map((e) => e.code);
        if (action.kind === "send") {
          sendsOnSocket += 1;
          const known = before.messages.find((m) => m.id === action.id);
          if (known && known.sender_id !== ann.user.id) {
            expect(codes).toEqual(["duplicate_id"]);
          } else if (errors.length > 0) {
            expect(codes).toEqual(["rate_limited"]);
          } else {
            const ack = frames.find((f) => f.type === "ack") as { seq: number } | undefined;
            // A resend is acknowledged with its first seq; a new message gets a higher one (a resend burns a number).
            if (known) expect(ack).toEqual({ type: "ack", id: action.id, seq: known.seq });
            else {
              expect(ack).toMatchObject({ type: "ack", id: action.id });
              expect(ack!.seq).toBeGreaterThan(lastSeq);
              expected.push({
                seq: ack!.seq,
                id: action.id,
                sender_id: ann.user.id,
                body: action.body.trim(),
                deleted: 0,
              });
              expectedRead = ack!.seq;
            }
          }
        }
        if (action.kind === "typing") expect(errors).toEqual([]);
        if (action.kind === "read") {
          expect(errors).toEqual([]);
          expectedRead = Math.max(expectedRead ?? 0, Math.min(Number(action.seq), lastSeq));
        }
        if (action.kind === "resume") {
          if (errors.length > 0) expect(codes).toEqual(["rate_limited"]);
          else {
            const afterSeq = Number(action.seq);
            const replayed = frames.filter((f) => f.type === "message").map((f) => (f.message as { seq: number }).seq);
            const seqs = before.messages.map((m) => m.seq).filter((seq) => seq > afterSeq);
            expect(replayed).toEqual(seqs);
            expect(frames.find((f) => f.type === "replayed")).toEqual({
              type: "replayed",
              throughSeq: seqs.at(-1) ?? Math.max(afterSeq, 0),
              more: false,
            });
          }
        }
        if (action.kind === "delete") {
          sendsOnSocket += 1;
          const seq = Number(action.seq);
          const target = expected.find((m) => m.seq === seq && m.sender_id === ann.user.id && m.deleted === 0);
          if (errors.length > 0) {
            expect(errors).toHaveLength(1);
            expect(target ? ["rate_limited"] : ["invalid_frame", "rate_limited"]).toContain(codes[0]);
          } else {
            expect(target).toBeDefined();
            Object.assign(target!, { body: "", deleted: 1 });
            expect(frames).toContainEqual({ type: "deleted", seq });
          }
        }
        expect(strip(after.messages)).toEqual(expected);
        expect(readOf(after)).toBe(expectedRead);
      }),
      runs(80),
    );
    probe.close();
  });

  it("hub: every frame is answered with unexpected_frame and changes nothing", async () => {
    const ann = await signUp();
    const bob = await signUp();
    await connect(ann, bob);
    const stub = hubFor(env, ann.user.id);
    const frame = fc
      .oneof(
        anyValueText,
        badFrame.map((bad) => bad.data),
        fc.constantFrom(
          '{"type":"send","id":"x","body":"hi"}',
          '{"type":"resume","afterSeq":0}',
          "pong",
          "PING",
          "ping ",
        ),
      )
      .filter((data) => data !== "ping" && (typeof data !== "string" || utf8(data) <= 64 * 1024));
    let socket: TestSocket | null = null;
    let violations = 0;
    const summaries = await stub.summaries();
    await fc.assert(
      fc.asyncProperty(frame, async (data) => {
        count("hub");
        if (!socket || violations >= WIRE_LIMITS.maxViolations - 1) {
          socket?.close();
          socket = await openSocket(HUB, ann.cookie);
          violations = 0;
        }
        socket.ws.send(data);
        violations += 1;
        const error = await socket.nextOfType("error", 3000);
        expect(error.code).toBe("unexpected_frame");
        expect(socket.closed).toBeNull();
        expect(await stub.summaries()).toEqual(summaries);
      }),
      runs(100),
    );
    (socket as TestSocket | null)?.close();
    expect(await roomFor(env, "never-used").history(undefined, 1)).toEqual({ messages: [], hasMore: false });
  });
});

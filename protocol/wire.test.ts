import { describe, expect, it } from "vitest";
import { type Parsed, parseClientMessage, parseHubMessage, parseServerMessage, WIRE_LIMITS } from "./wire";

const frame = (value: unknown) => JSON.stringify(value);

/** A frame as it arrives in a binary message. */
function utf8(text: string): ArrayBuffer {
  const bytes = new TextEncoder().encode(text);
  const buffer = new ArrayBuffer(bytes.byteLength);
  new Uint8Array(buffer).set(bytes);
  return buffer;
}

/** The error code of a refused frame; fails the test when the frame was accepted. */
function refusal<T>(parsed: Parsed<T>): string {
  if (parsed.ok) throw new Error(`expected a refusal, got ${JSON.stringify(parsed.value)}`);
  return parsed.code;
}

describe("parseClientMessage", () => {
  describe("valid frames", () => {
    it("accepts a send with its id and body", () => {
      expect(parseClientMessage(frame({ type: "send", id: "m_1-A", body: "hello" }))).toEqual({
        ok: true,
        value: { type: "send", id: "m_1-A", body: "hello" },
      });
    });

    it("trims the body of a send", () => {
      expect(parseClientMessage(frame({ type: "send", id: "m1", body: "  hi bob \n" }))).toMatchObject({
        ok: true,
        value: { body: "hi bob" },
      });
    });

    it("accepts typing on and off", () => {
      expect(parseClientMessage(frame({ type: "typing", on: true }))).toEqual({
        ok: true,
        value: { type: "typing", on: true },
      });
      expect(parseClientMessage(frame({ type: "typing", on: false }))).toEqual({
        ok: true,
        value: { type: "typing", on: false },
      });
    });

    it("accepts read and resume with a sequence number, zero included", () => {
      expect(parseClientMessage(frame({ type: "read", seq: 42 }))).toEqual({
        ok: true,
        value: { type: "read", seq: 42 },
      });
      expect(parseClientMessage(frame({ type: "resume", afterSeq: 0 }))).toEqual({
        ok: true,
        value: { type: "resume", afterSeq: 0 },
      });
    });

    it("drops fields the protocol does not know, so nothing extra is relayed", () => {
      const parsed = parseClientMessage(
        frame({ type: "send", id: "m1", body: "hi", senderId: "someone-else", html: "<b>" }),
      );
      expect(parsed).toEqual({ ok: true, value: { type: "send", id: "m1", body: "hi" } });
    });

    it("accepts a frame given as bytes", () => {
      expect(parseClientMessage(utf8(frame({ type: "send", id: "m1", body: "héllo 👋" })))).toEqual({
        ok: true,
        value: { type: "send", id: "m1", body: "héllo 👋" },
      });
    });

    it("accepts the longest body and id allowed", () => {
      const body = "b".repeat(WIRE_LIMITS.maxBodyChars);
      const id = "i".repeat(WIRE_LIMITS.maxClientIdChars);
      expect(parseClientMessage(frame({ type: "send", id, body }))).toEqual({
        ok: true,
        value: { type: "send", id, body },
      });
    });
  });

  describe("size", () => {
    it("refuses a frame over the byte limit", () => {
      const big = frame({ type: "send", id: "m1", body: "x".repeat(WIRE_LIMITS.maxFrameBytes) });
      expect(refusal(parseClientMessage(big))).toBe("frame_too_large");
    });

    it("counts the bytes of multibyte text, not its characters", () => {
      // "€" is one UTF-16 unit but three bytes of UTF-8.
      const text = "€".repeat(Math.floor(WIRE_LIMITS.maxFrameBytes / 3) + 1);
      expect(text.length).toBeLessThan(WIRE_LIMITS.maxFrameBytes);
      expect(refusal(parseClientMessage(text))).toBe("frame_too_large");
      const emoji = "😀".repeat(Math.floor(WIRE_LIMITS.maxFrameBytes / 4) + 1);
      expect(refusal(parseClientMessage(emoji))).toBe("frame_too_large");
    });

    it("accepts a frame of exactly the byte limit", () => {
      const shell = frame({ type: "send", id: "m1", body: "" });
      const padding = " ".repeat(WIRE_LIMITS.maxFrameBytes - shell.length);
      const exact = `${shell.slice(0, -1)}${padding}}`;
      expect(new TextEncoder().encode(exact).byteLength).toBe(WIRE_LIMITS.maxFrameBytes);
      // Refused for its empty body, not for its size.
      expect(refusal(parseClientMessage(exact))).toBe("invalid_frame");
      expect(refusal(parseClientMessage(`${exact} `))).toBe("frame_too_large");
    });

    it("refuses a frame of bytes over the limit", () => {
      const bytes = utf8(frame({ type: "send", id: "m1", body: "é".repeat(WIRE_LIMITS.maxFrameBytes / 2) }));
      expect(refusal(parseClientMessage(bytes))).toBe("frame_too_large");
    });
  });

  describe("invalid frames", () => {
    it("refuses text that is not JSON", () => {
      for (const raw of ["", "{", "send hello", "{'type':'send'}", "undefined"]) {
        expect(refusal(parseClientMessage(raw)), raw).toBe("invalid_json");
      }
    });

    it("refuses an unknown or missing type", () => {
      for (const value of [
        { type: "destroy" },
        { type: "SEND", id: "m1", body: "x" },
        {},
        { type: 1 },
        { type: null },
        { type: "__proto__" },
        { type: "toString" },
      ]) {
        expect(refusal(parseClientMessage(frame(value))), frame(value)).toBe("unknown_type");
      }
    });

    it("refuses a frame missing a field, naming the field", () => {
      const missingId = parseClientMessage(frame({ type: "send", body: "hi" }));
      expect(refusal(missingId)).toBe("invalid_frame");
      expect(missingId.ok ? "" : missingId.message).toContain("id");
      const missingBody = parseClientMessage(frame({ type: "send", id: "m1" }));
      expect(refusal(missingBody)).toBe("invalid_frame");
      expect(missingBody.ok ? "" : missingBody.message).toContain("body");
      expect(refusal(parseClientMessage(frame({ type: "typing" })))).toBe("invalid_frame");
      expect(refusal(parseClientMessage(frame({ type: "read" })))).toBe("invalid_frame");
      expect(refusal(parseClientMessage(frame({ type: "resume" })))).toBe("invalid_frame");
    });

    it("refuses an empty or blank body, or one over the length limit", () => {
      for (const body of ["", "   ", "\n\t", "b".repeat(WIRE_LIMITS.maxBodyChars + 1), 42, null]) {
        expect(refusal(parseClientMessage(frame({ type: "send", id: "m1", body }))), String(body).slice(0, 20)).toBe(
          "invalid_frame",
        );
      }
    });

    it("refuses a message id with characters other than letters, digits, _ and -", () => {
      for (const id of ["", "a b", "a/b", "a.b", "ü", "<script>", "i".repeat(WIRE_LIMITS.maxClientIdChars + 1), 7]) {
        expect(refusal(parseClientMessage(frame({ type: "send", id, body: "hi" }))), String(id)).toBe("invalid_frame");
      }
    });

    it("refuses a negative, fractional or non-numeric sequence number", () => {
      for (const seq of [-1, 1.5, "3", null, Number.NaN]) {
        expect(refusal(parseClientMessage(frame({ type: "read", seq }))), String(seq)).toBe("invalid_frame");
        expect(refusal(parseClientMessage(frame({ type: "resume", afterSeq: seq }))), String(seq)).toBe(
          "invalid_frame",
        );
      }
    });

    it("refuses typing that is not a boolean", () => {
      for (const on of ["true", 1, null]) {
        expect(refusal(parseClientMessage(frame({ type: "typing", on }))), String(on)).toBe("invalid_frame");
      }
    });

    it("names the message it refuses whenever the frame's id is a valid one", () => {
      const bodies = ["", "   ", "a\u0000b", "\u200b", "b".repeat(WIRE_LIMITS.maxBodyChars + 1), 42];
      for (const body of bodies) {
        const parsed = parseClientMessage(frame({ type: "send", id: "m-1", body }));
        expect(refusal(parsed), String(body).slice(0, 20)).toBe("invalid_frame");
        expect(parsed.ok ? null : parsed.id, String(body).slice(0, 20)).toBe("m-1");
      }
      const unknown = parseClientMessage(frame({ type: "SEND", id: "m-2", body: "hi" }));
      expect(unknown).toMatchObject({ ok: false, code: "unknown_type", id: "m-2" });
    });

    it("names no message when the frame's id is not a valid one, or the frame was not read", () => {
      for (const id of ["", "a b", "i".repeat(WIRE_LIMITS.maxClientIdChars + 1), 7, null, { id: "m1" }]) {
        const parsed = parseClientMessage(frame({ type: "send", id, body: "" }));
        expect(refusal(parsed), String(id)).toBe("invalid_frame");
        expect(parsed, String(id)).not.toHaveProperty("id");
      }
      const tooLarge = parseClientMessage(
        frame({ type: "send", id: "m1", body: "x".repeat(WIRE_LIMITS.maxFrameBytes) }),
      );
      expect(tooLarge).toEqual({ ok: false, code: "frame_too_large", message: expect.any(String) });
      expect(parseClientMessage('{"type":"send","id":"m1",')).not.toHaveProperty("id");
    });

    it("never throws, whatever it is given", () => {
      const weird = [
        "null",
        "[]",
        "123",
        "true",
        '"send"',
        "{}",
        '{"type":{}}',
        '[{"type":"send"}]',
        '{"__proto__":{"type":"send"}}',
        "\u0000",
        "\ud800",
      ];
      for (const raw of weird) {
        let parsed: Parsed<unknown> | undefined;
        expect(() => (parsed = parseClientMessage(raw)), raw).not.toThrow();
        expect(parsed?.ok, raw).toBe(false);
      }
      expect(parseClientMessage(new ArrayBuffer(0)).ok).toBe(false);
      expect(parseClientMessage(new Uint8Array([0xff, 0xfe, 0x00]).buffer as ArrayBuffer).ok).toBe(false);
    });
  });
});

describe("parseServerMessage", () => {
  const message = {
    id: "m1",
    seq: 1,
    conversationId: "c1",
    senderId: "u1",
    body: "hi",
    sentAt: "2026-11-24T00:00:00.000Z",
  };

  it("accepts each frame a room sends", () => {
    const frames = [
      {
        type: "hello",
        protocol: 1,
        conversationId: "c1",
        me: "u1",
        members: [{ id: "u1", username: "alice", online: true }],
        lastSeq: 3,
        readUpTo: { u1: 3, u2: 0 },
      },
      { type: "message", message },
      { type: "ack", id: "m1", seq: 1 },
      { type: "typing", userId: "u2", on: true },
      { type: "read", userId: "u2", seq: 1 },
      { type: "presence", userId: "u2", online: false },
      { type: "error", code: "rate_limited", message: "slow down" },
      { type: "error", code: "invalid_frame", message: "bad", id: "m1" },
    ];
    for (const value of frames) expect(parseServerMessage(frame(value)), value.type).toEqual({ ok: true, value });
  });

  it("refuses frames a room never sends", () => {
    const frames = [
      { type: "ack", id: "m1", seq: -1 },
      { type: "message", message: { ...message, seq: undefined } },
      { type: "hello", protocol: 1, conversationId: "c1", me: "u1", members: [{ id: "u1" }], lastSeq: 0, readUpTo: {} },
      { type: "presence", userId: "u2", online: "yes" },
      { type: "send", id: "m1", body: "hi" },
      { type: "error", code: "x" },
    ];
    for (const value of frames) expect(refusal(parseServerMessage(frame(value))), frame(value)).toBe("invalid_frame");
    expect(refusal(parseServerMessage("not json"))).toBe("invalid_json");
    expect(refusal(parseServerMessage("null"))).toBe("invalid_frame");
  });
});

describe("parseHubMessage", () => {
  const lastMessage = {
    id: "m1",
    seq: 4,
    conversationId: "c1",
    senderId: "u2",
    body: "hi",
    sentAt: "2026-11-24T00:00:00.000Z",
  };

  it("accepts each frame a hub sends", () => {
    const frames = [
      { type: "presence", userId: "u2", online: true },
      { type: "unread", conversationId: "c1", unread: 2, lastMessage },
      { type: "unread", conversationId: "c1", unread: 0, lastMessage: null },
      {
        type: "connection",
        connection: {
          user: { id: "u2", username: "bob" },
          conversationId: "c1",
          status: "pending",
          direction: "incoming",
          online: false,
          lastMessage: null,
          unread: 0,
        },
      },
      { type: "connection-removed", userId: "u2", conversationId: "c1" },
      { type: "connection-removed", userId: "u2", conversationId: "c1", reason: "account-ended" },
      { type: "account-ended", reason: "expired" },
      { type: "account-ended", reason: "deleted" },
      { type: "error", code: "unexpected_frame", message: "oops" },
    ];
    for (const value of frames) expect(parseHubMessage(frame(value)), value.type).toEqual({ ok: true, value });
  });

  it("refuses frames a hub never sends", () => {
    const frames = [
      { type: "account-ended", reason: "banned" },
      { type: "error", code: "no_such_code", message: "codes are a closed list" },
      { type: "unread", conversationId: "c1", unread: -1, lastMessage: null },
      { type: "unread", conversationId: "c1", unread: 1.5, lastMessage: null },
      { type: "unread", conversationId: "c1", unread: 1 },
      {
        type: "connection",
        connection: { user: { id: "u2" }, conversationId: "c1", online: false, lastMessage: null, unread: 0 },
      },
      { type: "message", message: lastMessage },
    ];
    for (const value of frames) expect(refusal(parseHubMessage(frame(value))), frame(value)).toBe("invalid_frame");
    expect(refusal(parseHubMessage("{"))).toBe("invalid_json");
  });
});

import fc from "fast-check";
import * as v from "valibot";
import { beforeAll, describe, expect, it, vi } from "vitest";
import * as wire from "../../../protocol/wire";
import { safeParse as liteSafeParse } from "./valibot-lite";

type Wire = typeof wire;
type AnySchema = v.GenericSchema & Record<string, unknown>;

/** protocol/wire.ts as the browser runs it: its schemas built by valibot-lite (vite.config.ts). */
async function wireOnLite(): Promise<Wire> {
  vi.resetModules();
  vi.doMock("valibot", () => import("./valibot-lite"));
  try {
    return await import("../../../protocol/wire");
  } finally {
    vi.doUnmock("valibot");
  }
}

/** Values shaped by a schema, with now and then anything JSON can hold in place of a part. */
function framesOf(schema: AnySchema): fc.Arbitrary<unknown> {
  const shaped = shapedBy(schema);
  return fc.oneof({ weight: 8, arbitrary: shaped }, { weight: 1, arbitrary: fc.jsonValue() });
}

function shapedBy(schema: AnySchema): fc.Arbitrary<unknown> {
  const inner = (key: string) => framesOf(schema[key] as AnySchema);
  switch (schema.type) {
    case "string":
      return fc.oneof(fc.string(), fc.constantFrom("", " ", "m_1", "a\u0000b", "\uD800"));
    case "number":
      return fc.oneof(fc.integer({ min: -2, max: 1000 }), fc.double());
    case "boolean":
      return fc.boolean();
    case "literal":
      return fc.constant(schema.literal);
    case "picklist":
      return fc.constantFrom(...(schema.options as unknown[]), "other");
    case "optional":
    case "nullable":
      return fc.option(inner("wrapped"), { nil: schema.type === "optional" ? undefined : null });
    case "array":
      return fc.array(inner("item"), { maxLength: 3 });
    case "record":
      return fc.dictionary(fc.string({ maxLength: 4 }), inner("value"), { maxKeys: 3 });
    case "object": {
      const entries = schema.entries as Record<string, AnySchema>;
      const keys = Object.keys(entries);
      const parts = Object.fromEntries(keys.map((key) => [key, framesOf(entries[key]!)]));
      const required = keys.filter((key) => entries[key]!.type !== "optional");
      // Sometimes a required key missing, sometimes a key the protocol does not know.
      return fc
        .tuple(
          fc.record(parts, { requiredKeys: required }),
          fc.subarray(required, { maxLength: 1 }),
          fc.dictionary(fc.constantFrom("extra", "__proto__", "html"), fc.jsonValue(), { maxKeys: 1 }),
        )
        .map(([value, drop, extra]) => {
          const frame: Record<string, unknown> = { ...extra, ...value };
          for (const key of drop) delete frame[key];
          return frame;
        });
    }
    case "variant":
      return fc.oneof(...(schema.options as AnySchema[]).map(framesOf));
    default:
      throw new Error(`no frames for a ${String(schema.type)} schema: teach framesOf and valibot-lite.ts`);
  }
}

const schemas = Object.entries(wire as Record<string, unknown>).filter(
  (entry): entry is [string, AnySchema] => (entry[1] as AnySchema | null)?.kind === "schema",
);

describe("valibot-lite", () => {
  let lite: Wire;
  beforeAll(async () => {
    lite = await wireOnLite();
  });

  it("builds every schema of protocol/wire.ts", () => {
    expect(schemas.map(([name]) => name)).toContain("ServerMessageSchema");
    expect(schemas.map(([name]) => name)).toContain("HubMessageSchema");
    for (const [name] of schemas) expect((lite as Record<string, unknown>)[name], name).toBeTypeOf("object");
  });

  for (const [name, schema] of schemas) {
    it(`accepts what valibot accepts for ${name}, with the same output`, () => {
      const liteSchema = (lite as Record<string, unknown>)[name];
      fc.assert(
        fc.property(framesOf(schema), (frame) => {
          const expected = v.safeParse(schema, frame);
          const actual = liteSafeParse(liteSchema as never, frame);
          expect(actual.success).toBe(expected.success);
          if (expected.success && actual.success) expect(actual.output).toStrictEqual(expected.output);
        }),
        { numRuns: 300 },
      );
    });
  }

  it("parses frames from a room and a hub as protocol/wire.ts does with valibot", () => {
    const frames = [
      { type: "ack", id: "m1", seq: 3 },
      { type: "ack", id: "m1", seq: 1.5 },
      { type: "typing", userId: "u1", on: true, extra: 1 },
      { type: "presence", userId: "u1", online: false, lastSeenAt: null },
      { type: "nope" },
    ];
    const verdict = (parsed: wire.Parsed<unknown>) => (parsed.ok ? parsed : parsed.code);
    for (const frame of frames) {
      const text = JSON.stringify(frame);
      expect(verdict(lite.parseServerMessage(text))).toStrictEqual(verdict(wire.parseServerMessage(text)));
      expect(verdict(lite.parseHubMessage(text))).toStrictEqual(verdict(wire.parseHubMessage(text)));
    }
    expect(verdict(lite.parseServerMessage("{"))).toBe("invalid_json");
  });
});

/**
 * The part of valibot that protocol/wire.ts calls, small enough for the first page: the web build
 * resolves `valibot` to this module (vite.config.ts), so the browser checks frames against the very
 * schemas the server uses, without valibot's issue machinery (about 2 KB gzipped).
 * It answers valibot's verdicts and outputs, not its messages (valibot-lite.test.ts compares them).
 * A function wire.ts starts to use must be added here: until then the web build fails on it.
 */

type Check = (value: never) => boolean;
type Action = { check?: Check; transform?: (value: never) => unknown; raw?: RawCheck };
type RawCheck = (context: {
  dataset: { typed: true; value: never };
  addIssue: (issue: { message: string }) => void;
}) => void;
type Schema = {
  type: string;
  literal?: unknown;
  options?: readonly unknown[];
  entries?: Record<string, Schema>;
  key?: string;
  item?: Schema;
  keys?: Schema;
  value?: Schema;
  wrapped?: Schema;
  pipe?: [Schema, ...Action[]];
};
type Issue = { message: string; path?: { key: PropertyKey }[] };
type Result = { success: true; output: unknown } | { success: false; issues: Issue[] };

const schema = (type: string, fields?: Omit<Schema, "type">): Schema => ({ type, ...fields });

/* @__NO_SIDE_EFFECTS__ */
export const string = () => schema("string");
/* @__NO_SIDE_EFFECTS__ */
export const number = () => schema("number");
/* @__NO_SIDE_EFFECTS__ */
export const boolean = () => schema("boolean");
/* @__NO_SIDE_EFFECTS__ */
export const literal = (literal: unknown) => schema("literal", { literal });
/* @__NO_SIDE_EFFECTS__ */
export const picklist = (options: readonly unknown[]) => schema("picklist", { options });
/* @__NO_SIDE_EFFECTS__ */
export const object = (entries: Record<string, Schema>) => schema("object", { entries });
/* @__NO_SIDE_EFFECTS__ */
export const variant = (key: string, options: Schema[]) => schema("variant", { key, options });
/* @__NO_SIDE_EFFECTS__ */
export const array = (item: Schema) => schema("array", { item });
/* @__NO_SIDE_EFFECTS__ */
export const record = (keys: Schema, value: Schema) => schema("record", { keys, value });
/* @__NO_SIDE_EFFECTS__ */
export const optional = (wrapped: Schema) => schema("optional", { wrapped });
/* @__NO_SIDE_EFFECTS__ */
export const nullable = (wrapped: Schema) => schema("nullable", { wrapped });
/* @__NO_SIDE_EFFECTS__ */
export const pipe = (base: Schema, ...actions: Action[]): Schema => ({ ...base, pipe: [base, ...actions] });

/* @__NO_SIDE_EFFECTS__ */
export const integer = (): Action => ({ check: Number.isInteger as Check });
/* @__NO_SIDE_EFFECTS__ */
export const minValue = (min: number): Action => ({ check: ((value: number) => value >= min) as Check });
/* @__NO_SIDE_EFFECTS__ */
export const maxValue = (max: number): Action => ({ check: ((value: number) => value <= max) as Check });
/* @__NO_SIDE_EFFECTS__ */
export const minLength = (min: number): Action => ({ check: ((value: string) => value.length >= min) as Check });
/* @__NO_SIDE_EFFECTS__ */
export const maxLength = (max: number): Action => ({ check: ((value: string) => value.length <= max) as Check });
/* @__NO_SIDE_EFFECTS__ */
export const regex = (pattern: RegExp): Action => ({ check: ((value: string) => pattern.test(value)) as Check });
/* @__NO_SIDE_EFFECTS__ */
export const trim = (): Action => ({ transform: ((value: string) => value.trim()) as never });
/* @__NO_SIDE_EFFECTS__ */
export const rawCheck = (raw: RawCheck): Action => ({ raw });

/** Thrown through run() at the first issue: a frame is refused whole, so one issue is enough. */
type Refusal = { refused: Issue };

const refuse = (message = "invalid value"): never => {
  throw { refused: { message, path: [] } } satisfies Refusal;
};

const isObject = (value: unknown): value is Record<string, unknown> => !!value && typeof value === "object";

/** The value as `schema` outputs it (unknown keys left out, transformations applied), or a Refusal. */
function run(schema: Schema, value: unknown): unknown {
  if (schema.pipe) {
    const [base, ...actions] = schema.pipe;
    let output = run(base, value);
    for (const { check, transform, raw } of actions) {
      if (check && !check(output as never)) refuse();
      if (transform) output = transform(output as never);
      raw?.({ dataset: { typed: true, value: output as never }, addIssue: ({ message }) => refuse(message) });
    }
    return output;
  }
  switch (schema.type) {
    case "string":
    case "boolean":
      return typeof value === schema.type ? value : refuse();
    case "number":
      return typeof value === "number" && !Number.isNaN(value) ? value : refuse();
    case "literal":
      return value === schema.literal ? value : refuse();
    case "picklist":
      return schema.options!.includes(value) ? value : refuse();
    case "optional":
      return value === undefined ? value : run(schema.wrapped!, value);
    case "nullable":
      return value === null ? value : run(schema.wrapped!, value);
    case "array":
      return Array.isArray(value) ? value.map((item, index) => at(index, () => run(schema.item!, item))) : refuse();
    case "object": {
      if (!isObject(value)) return refuse();
      const output: Record<string, unknown> = {};
      for (const [key, entry] of Object.entries(schema.entries!)) {
        if (key in value) output[key] = at(key, () => run(entry, value[key]));
        else if (entry.type !== "optional") at(key, () => refuse());
      }
      return output;
    }
    case "record": {
      if (!isObject(value)) return refuse();
      const output: Record<string, unknown> = {};
      for (const key in value) {
        if (!Object.hasOwn(value, key) || key === "__proto__" || key === "prototype" || key === "constructor") continue;
        at(key, () => run(schema.keys!, key));
        output[key] = at(key, () => run(schema.value!, value[key]));
      }
      return output;
    }
    case "variant": {
      if (!isObject(value)) return refuse();
      const key = schema.key!;
      let refusal: unknown = { refused: { message: "unknown variant", path: [{ key }] } };
      for (const option of schema.options as Schema[]) {
        if (!(key in value) || !accepts(option.entries![key]!, value[key])) continue;
        try {
          return run(option, value);
        } catch (error) {
          refusal = error;
        }
      }
      throw refusal;
    }
    default:
      return refuse(`valibot-lite does not know ${schema.type}`);
  }
}

/** Runs a nested check, naming where it failed. */
function at(key: PropertyKey, check: () => unknown): unknown {
  try {
    return check();
  } catch (error) {
    (error as Refusal).refused?.path?.unshift({ key });
    throw error;
  }
}

function accepts(schema: Schema, value: unknown): boolean {
  return safeParse(schema, value).success;
}

export function safeParse(schema: Schema, value: unknown): Result {
  try {
    return { success: true, output: run(schema, value) };
  } catch (error) {
    const { refused } = error as Refusal;
    if (refused) return { success: false, issues: [refused] };
    throw error;
  }
}

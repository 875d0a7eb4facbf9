import { validator } from "hono/validator";
import * as v from "valibot";
import { badRequest } from "./errors";

/** Hono's validator with a valibot schema; bad input answers 400 with the first issue. */
export function validate<T extends "json" | "query" | "param", S extends v.GenericSchema>(target: T, schema: S) {
  return validator(target, (value) => {
    const result = v.safeParse(schema, value);
    if (result.success) return result.output as v.InferOutput<S>;
    const issue = result.issues[0];
    const path = issue.path?.map((item) => String(item.key)).join(".");
    throw badRequest(path ? `${path}: ${issue.message}` : issue.message);
  });
}

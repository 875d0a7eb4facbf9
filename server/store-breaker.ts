import type { Outage } from "./outage";
import type { Store, Unavailable } from "./ports/store";

/**
 * The Store behind a breaker. While `outage` says the Store failed recently, every call answers
 * `unavailable` at once instead of waiting for the Store (MongoDB's server selection takes
 * 2.5 s), and the caller takes its fallback (a room's members, its history) or answers 503. An
 * `unavailable` answer opens the breaker; any other answer closes it. `ping` always asks, so that
 * /api/health reports what the Store says now (and closes the breaker when it answers). A call
 * that throws is not an outage of the Store: it passes through and leaves the breaker as it is.
 */
export function withBreaker(store: Store, outage: Outage): Store {
  return new Proxy(store, {
    get: (target, key) => {
      const value = Reflect.get(target, key);
      // `then` and symbols are how promises and runtimes probe an object, not Store calls.
      if (typeof value !== "function" || typeof key === "symbol" || key === "then") return value;
      return async (...args: unknown[]) => {
        if (key !== "ping" && outage.shouldSkip()) return unavailable();
        const result = await (target as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>)[key]!(
          ...args,
        );
        if (isUnavailable(result)) outage.failed(new Error(`the Store answered ${key}: unavailable`));
        else outage.recovered();
        return result;
      };
    },
  });
}

function unavailable(): Unavailable {
  return { ok: false, reason: "unavailable" };
}

function isUnavailable(result: unknown): boolean {
  const answer = result as Partial<Unavailable> | null;
  return typeof answer === "object" && answer !== null && answer.ok === false && answer.reason === "unavailable";
}

/**
 * Bench-only counters of what the app does: rows written, transactions, cross-object calls and
 * network calls, each by where it happened. Off unless BENCH_COUNTERS is "1", which only the bench
 * passes (`--var BENCH_COUNTERS:1`): then storage, stubs, fetch and the Mongo client are wrapped;
 * otherwise each wrapper returns what it was given and nothing here runs again. Under `wrangler
 * dev` the Worker and every object share one isolate, so this one module sees them all.
 */

export type CounterKind = "rowsWritten" | "transactions" | "crossObjectCalls" | "networkCalls";
/** Whose storage wrote, which object was called, or which client went to the network. */
export type CounterPlace = "room" | "hub" | "store" | "cache" | "fetch" | "mongo" | "mongo-monitoring";

export interface CounterTotals {
  totals: Record<CounterKind, number>;
  /** `kind.place`, e.g. `rowsWritten.room`, `crossObjectCalls.hub`. */
  by: Record<string, number>;
}

interface CountingEnv {
  BENCH_COUNTERS?: string;
}

let forced = false;
let fetchWrapped = false;
const counts = new Map<string, number>();
const unread: { cursor: SqlStorageCursor<Record<string, SqlStorageValue>>; place: CounterPlace }[] = [];

/** Whether this environment counts; the first time it does, `fetch` is wrapped for the whole isolate. */
export function countersOn(env: CountingEnv): boolean {
  if (!forced && env.BENCH_COUNTERS !== "1") return false;
  if (!fetchWrapped) {
    fetchWrapped = true;
    const fetch = globalThis.fetch;
    globalThis.fetch = (...args: Parameters<typeof fetch>) => {
      count("networkCalls", "fetch");
      return fetch(...args);
    };
  }
  return true;
}

/** For tests: count from now on whatever the environment says (objects built afterwards are wrapped). */
export function enableCounters(): () => void {
  forced = true;
  return () => {
    forced = false;
  };
}

export function count(kind: CounterKind, place: CounterPlace, n = 1): void {
  const key = `${kind}.${place}`;
  counts.set(key, (counts.get(key) ?? 0) + n);
}

/** The totals since the last read; `reset` starts a new window. */
export function readCounters(reset = true): CounterTotals {
  tallyRows();
  const totals: Record<CounterKind, number> = { rowsWritten: 0, transactions: 0, crossObjectCalls: 0, networkCalls: 0 };
  const by: Record<string, number> = {};
  for (const [key, n] of [...counts].sort()) {
    by[key] = n;
    totals[key.slice(0, key.indexOf(".")) as CounterKind] += n;
  }
  if (reset) counts.clear();
  return { totals, by };
}

/**
 * The object's storage, with every `sql.exec` adding up its rows written and every
 * `transactionSync` counting one transaction. A cursor's `rowsWritten` is final once it is read,
 * and the code reads each cursor in the statement that made it: rows are tallied in a microtask.
 */
export function countedStorage(storage: DurableObjectStorage, place: CounterPlace, env: CountingEnv) {
  if (!countersOn(env)) return storage;
  const exec: SqlStorage["exec"] = <T extends Record<string, SqlStorageValue>>(
    query: string,
    ...bindings: unknown[]
  ) => {
    const cursor = storage.sql.exec<T>(query, ...bindings);
    if (unread.push({ cursor, place }) === 1) queueMicrotask(tallyRows);
    return cursor;
  };
  const sql = new Proxy(storage.sql, {
    get: (target, key) => (key === "exec" ? exec : bound(target, key)),
  });
  const transactionSync: DurableObjectStorage["transactionSync"] = (closure) => {
    count("transactions", place);
    return storage.transactionSync(closure);
  };
  return new Proxy(storage, {
    get: (target, key) => (key === "sql" ? sql : key === "transactionSync" ? transactionSync : bound(target, key)),
  });
}

/** A stub whose every call (RPC method or `fetch`) counts one cross-object call to `place`. */
export function countedStub<T extends object>(stub: T, place: CounterPlace, env: CountingEnv): T {
  if (!countersOn(env)) return stub;
  return new Proxy(stub, {
    get: (target, key) => {
      const value = Reflect.get(target, key);
      // `then` and symbols are how promises and runtimes probe an object, not calls.
      if (typeof value !== "function" || typeof key === "symbol" || key === "then") return value;
      return (...args: unknown[]) => {
        count("crossObjectCalls", place);
        return (target as Record<string, (...args: unknown[]) => unknown>)[key]!(...args);
      };
    },
  });
}

/**
 * Counts each command the MongoDB driver sends (command monitoring, set before it connects), and
 * apart from them its own monitoring round trips (heartbeats), which no request causes.
 */
export function countMongoCommands(
  client: {
    options: { monitorCommands: boolean };
    on(event: "commandStarted" | "serverHeartbeatStarted", listener: () => void): unknown;
  },
  env: CountingEnv,
): void {
  if (!countersOn(env)) return;
  client.options.monitorCommands = true;
  client.on("commandStarted", () => count("networkCalls", "mongo"));
  client.on("serverHeartbeatStarted", () => count("networkCalls", "mongo-monitoring"));
}

function tallyRows(): void {
  for (const { cursor, place } of unread.splice(0)) {
    if (cursor.rowsWritten > 0) count("rowsWritten", place, cursor.rowsWritten);
  }
}

/** Native objects check `this`: their methods are called on the real object. */
function bound(target: object, key: string | symbol): unknown {
  const value = Reflect.get(target, key, target);
  return typeof value === "function" ? value.bind(target) : value;
}

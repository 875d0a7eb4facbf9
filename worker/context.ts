import type { Context } from "hono";
import type { Cache } from "../server/ports/cache";
import type { Store, UserRecord } from "../server/ports/store";

/** What middleware puts on the context for the routes. */
export interface AppVariables {
  store: Store;
  cache: Cache;
  /** Set by requireUser. */
  user: UserRecord;
}

export type AppEnv = { Bindings: Env; Variables: AppVariables };
export type AppContext = Context<AppEnv>;

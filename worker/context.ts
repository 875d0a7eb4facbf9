import type { Context } from "hono";
import type { Cache } from "../server/ports/cache";
import type { Store, UserRecord } from "../server/ports/store";
import type { SessionClaims } from "./auth/session-token";

/** What middleware puts on the context for every route. */
export interface AppVariables {
  store: Store;
  cache: Cache;
}

/** Who is signed in, as their signed session token says (the Store is not asked per request). */
export type SignedInUser = Omit<UserRecord, "passwordHash">;

/** What requireUser adds: only routes behind it see a user. */
export interface SignedInVariables extends AppVariables {
  user: SignedInUser;
  session: SessionClaims;
}

export type AppEnv = { Bindings: Env; Variables: AppVariables };
export type AppContext = Context<AppEnv>;
export type SignedInEnv = { Bindings: Env; Variables: SignedInVariables };
export type SignedInContext = Context<SignedInEnv>;

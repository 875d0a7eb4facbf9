import { env } from "cloudflare:workers";
import { describeGroupStoreContract } from "../ports/group-store.contract";

// The embedded adapter's groups as the app reaches them: through its host Durable Object, over RPC.
describeGroupStoreContract("embedded SQLite (StoreHost)", () =>
  env.STORE_HOSTS.get(env.STORE_HOSTS.idFromName(crypto.randomUUID())),
);

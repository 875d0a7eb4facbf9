import { env } from "cloudflare:workers";
import { describeGroupStoreContract } from "../ports/group-store.contract";
import { storeAt } from "../ports/index";

// The embedded adapter's groups as the app reaches them: through its host Durable Object, over RPC.
describeGroupStoreContract("embedded SQLite (StoreHost)", () => storeAt(env, crypto.randomUUID()));

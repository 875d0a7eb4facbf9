import { env } from "cloudflare:workers";
import { storeAt } from "../ports/index";
import { describeStoreContract } from "../ports/store/store.contract";

// The embedded adapter as the app reaches it: through its host Durable Object, over RPC.
// A fresh object for each area's suite, so each starts from an empty database.
describeStoreContract("embedded SQLite (StoreHost)", () => storeAt(env, crypto.randomUUID()));

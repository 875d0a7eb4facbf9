import { env } from "cloudflare:workers";
import { storeAt } from "../ports/index";
import { describeStoreContract } from "../ports/store.contract";

// The embedded adapter as the app reaches it: through its host Durable Object, over RPC.
// A fresh object per run, so the suite starts from an empty database.
describeStoreContract("embedded SQLite (StoreHost)", () => storeAt(env, crypto.randomUUID()));

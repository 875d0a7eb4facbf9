import { env } from "cloudflare:test";
import { describeStoreContract } from "../ports/store.contract";

// The embedded adapter as the app reaches it: through its Durable Object, over RPC.
// A fresh object per run, so the suite starts from an empty database.
describeStoreContract("embedded SQLite (EmbeddedStore)", () =>
  env.EMBEDDED_STORE.get(env.EMBEDDED_STORE.idFromName(crypto.randomUUID())),
);

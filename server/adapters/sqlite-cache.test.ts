import { env } from "cloudflare:workers";
import { describeCacheContract } from "../ports/cache.contract";

// The embedded adapter as the app reaches it: through its Durable Object, over RPC.
// A fresh object per run, so the suite starts from an empty table.
describeCacheContract("embedded SQLite (EmbeddedCache)", () =>
  env.EMBEDDED_CACHE.get(env.EMBEDDED_CACHE.idFromName(crypto.randomUUID())),
);

import { env } from "cloudflare:workers";
import { storeAt } from "../../server/ports/index";
import { describeStoreContract } from "../../server/ports/store/store.contract";

// The MongoDB adapter as the app reaches it: through a pooled StoreHost over RPC, holding the real
// driver, against FerretDB on loopback (or MONGODB_TEST_URI), in a database migrated by migrations/.
describeStoreContract("MongoDB (StoreHost on a Mongo-wire server)", () => storeAt(env, "mongo-0"));

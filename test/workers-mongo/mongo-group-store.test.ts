import { env } from "cloudflare:workers";
import { describeGroupStoreContract } from "../../server/ports/group-store.contract";
import { storeAt } from "../../server/ports/index";

// The MongoDB adapter's groups through a pooled StoreHost over RPC, holding the real driver, against
// FerretDB on loopback (or MONGODB_TEST_URI), in a database migrated by migrations/.
describeGroupStoreContract("MongoDB (StoreHost on a Mongo-wire server)", () => storeAt(env, "mongo-0"));

import { execFile } from "node:child_process";
import { resolve } from "node:path";
import { promisify } from "node:util";
import { MongoClient, MongoServerError } from "mongodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFerretDb } from "../../scripts/ferretdb.mjs";
import { loadMigrations, migrate } from "../../scripts/migrate.mjs";
import { freshDatabase, withDatabase } from "./mongo-uri";

const run = promisify(execFile);
const root = resolve(import.meta.dirname, "../..");

// One FerretDB 1.24 on a free loopback port (or the server in MONGODB_TEST_URI), one database per test.
let server: Awaited<ReturnType<typeof startFerretDb>>;
let client: MongoClient;

beforeAll(async () => {
  server = await startFerretDb();
  client = new MongoClient(server.uri, { serverSelectionTimeoutMS: 3_000 });
});

afterAll(async () => {
  await client?.close();
  await server?.stop().catch(() => {});
});

/** Every index of every collection, as comparable data. */
async function indexSnapshot(databaseName: string) {
  const db = client.db(databaseName);
  const snapshot: Record<string, unknown[]> = {};
  for (const { name } of await db.listCollections({}, { nameOnly: true }).toArray()) {
    snapshot[name] = (await db.collection(name).indexes()).map(({ name, key, unique }) => ({ name, key, unique }));
  }
  return snapshot;
}

describe("FerretDB, the local MongoDB-wire server", () => {
  it("starts on loopback and answers a ping through the real driver", async () => {
    if (!server.external) expect(server.uri).toMatch(/^mongodb:\/\/127\.0\.0\.1:\d+\/$/);
    expect(await client.db("admin").command({ ping: 1 })).toMatchObject({ ok: 1 });
  });

  it("keeps its data across a stop and a start on the same directory (an outage)", async (context) => {
    if (server.external) context.skip();
    const messages = client.db(freshDatabase("outage")).collection<{ _id: string }>("messages");
    await messages.insertOne({ _id: "before" });
    await server.stop();
    await expect(messages.insertOne({ _id: "during" })).rejects.toThrow();
    await server.start();
    await messages.insertOne({ _id: "after" });
    expect((await messages.find().sort({ _id: 1 }).toArray()).map((doc) => doc._id)).toEqual(["after", "before"]);
  });
});

describe("migrations", () => {
  it("are numbered files that each export a name and up(db)", async () => {
    const migrations = await loadMigrations();
    expect(migrations.length).toBeGreaterThan(0);
    expect(migrations.map((m) => m.name)).toEqual([...migrations.map((m) => m.name)].sort());
  });

  it("apply once, and a second run changes nothing", async () => {
    const db = client.db(freshDatabase("migrate"));
    const names = (await loadMigrations()).map((m) => m.name);

    expect(await migrate(db)).toEqual({ applied: names, skipped: [] });
    const afterFirst = await indexSnapshot(db.databaseName);
    const recordedFirst = await db.collection("migrations").find().toArray();

    expect(await migrate(db)).toEqual({ applied: [], skipped: names });
    expect(await indexSnapshot(db.databaseName)).toEqual(afterFirst);
    expect(await db.collection("migrations").find().toArray()).toEqual(recordedFirst);
    expect(recordedFirst.map((doc) => doc._id)).toEqual(names);
  });

  it("npm run migrate applies against MONGODB_URI, then says nothing is left to apply", async () => {
    const database = freshDatabase("cli");
    const env = { ...process.env, MONGODB_URI: withDatabase(server.uri, database) };
    const script = resolve(root, "scripts/migrate.mjs");
    const first = await run(process.execPath, [script], { env, cwd: root });
    expect(first.stdout).toMatch(/^applied \d+ migration\(s\)/m);
    const second = await run(process.execPath, [script], { env, cwd: root });
    expect(second.stdout).toMatch(/^nothing to apply/m);
    const recorded = await client.db(database).collection("migrations").countDocuments();
    expect(recorded).toBe((await loadMigrations()).length);
  });

  describe("the indexes they create", () => {
    let db: ReturnType<MongoClient["db"]>;
    beforeAll(async () => {
      db = client.db(freshDatabase("indexes"));
      await migrate(db);
    });

    it("refuse a second user with the same lower-cased name", async () => {
      const users = db.collection<{ _id: string; usernameKey: string }>("users");
      await users.insertOne({ _id: "u1", usernameKey: "alice" });
      const duplicate = await users.insertOne({ _id: "u2", usernameKey: "alice" }).catch((error: unknown) => error);
      expect(duplicate).toBeInstanceOf(MongoServerError);
      expect((duplicate as MongoServerError).code).toBe(11000);
    });

    it("refuse a second message with the same conversation and seq, and keep the rest of an unordered batch", async () => {
      const messages = db.collection<{ _id: string; conversationId: string; seq: number }>("messages");
      await messages.insertOne({ _id: "c1:1", conversationId: "c1", seq: 1 });
      const batch = [
        { _id: "other:1", conversationId: "c1", seq: 1 },
        { _id: "c1:2", conversationId: "c1", seq: 2 },
      ];
      const error = await messages.insertMany(batch, { ordered: false }).catch((e: unknown) => e);
      expect((error as MongoServerError).code).toBe(11000);
      expect(await messages.countDocuments({ conversationId: "c1" })).toBe(2);
    });

    it("find users by expiry, a member's conversations and each side's connections", async () => {
      const byCollection = await indexSnapshot(db.databaseName);
      const keys = (collection: string) =>
        (byCollection[collection] ?? []).map((index) => (index as { key: unknown }).key);
      expect(keys("users")).toEqual(expect.arrayContaining([{ expiresAt: 1 }, { usernameKey: 1 }, { trigrams: 1 }]));
      expect(keys("connections")).toEqual(expect.arrayContaining([{ userLow: 1 }, { userHigh: 1 }]));
      expect(keys("conversations")).toEqual(expect.arrayContaining([{ members: 1 }]));
      expect(keys("messages")).toEqual(expect.arrayContaining([{ conversationId: 1, seq: 1 }]));
    });
  });
});

// `npm run migrate`: applies the numbered migrations in migrations/ to MONGODB_URI's database,
// in order, recording each applied name in the `migrations` collection. Safe to run twice: an
// applied migration is skipped, and each migration is itself idempotent (createIndexes with the
// same spec is a no-op), so a run interrupted between `up` and its record is safe to repeat.
import { readdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { MongoClient } from "mongodb";

const migrationsDir = resolve(dirname(fileURLToPath(import.meta.url)), "../migrations");

/** The migrations in order of their number: `NNN-name.mjs`, each exporting `name` and `up(db)`. */
export async function loadMigrations(dir = migrationsDir) {
  const files = readdirSync(dir)
    .filter((file) => /^\d{3}-[\w-]+\.mjs$/.test(file))
    .sort();
  const loaded = [];
  for (const file of files) {
    const module = await import(pathToFileURL(join(dir, file)).href);
    if (typeof module.name !== "string" || typeof module.up !== "function") {
      throw new Error(`${file} must export name and up(db)`);
    }
    loaded.push({ name: module.name, up: module.up });
  }
  return loaded;
}

/**
 * Applies what is not yet recorded. Returns the names applied and skipped.
 * @param {import("mongodb").Db} db
 */
export async function migrate(db, { migrations, log = () => {} } = {}) {
  const all = migrations ?? (await loadMigrations());
  const recorded = db.collection("migrations");
  const done = new Set(
    (
      await recorded
        .find({}, { projection: { _id: 1 } })
        .limit(10_000)
        .toArray()
    ).map((doc) => doc._id),
  );
  const applied = [];
  const skipped = [];
  for (const migration of all) {
    if (done.has(migration.name)) {
      skipped.push(migration.name);
      continue;
    }
    log(`applying ${migration.name}`);
    await migration.up(db);
    // An upsert, so two concurrent runs both succeed instead of one failing on a duplicate key.
    await recorded.updateOne({ _id: migration.name }, { $setOnInsert: { appliedAt: new Date() } }, { upsert: true });
    applied.push(migration.name);
  }
  return { applied, skipped };
}

async function main() {
  const uri = process.env.MONGODB_URI;
  if (!uri) {
    console.error("MONGODB_URI is not set: nothing to migrate (the embedded Store needs no migrations)");
    process.exit(1);
  }
  const client = new MongoClient(uri, { serverSelectionTimeoutMS: 10_000 });
  try {
    // The database named in the URI's path (the driver's default when none): the Worker uses the same rule.
    const db = client.db();
    const { applied, skipped } = await migrate(db, { log: (line) => console.log(line) });
    if (applied.length === 0)
      console.log(`nothing to apply: ${skipped.length} migration(s) already applied to ${db.databaseName}`);
    else console.log(`applied ${applied.length} migration(s) to ${db.databaseName}; ${skipped.length} already applied`);
  } finally {
    await client.close();
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((error) => {
    console.error(`migrate failed: ${error instanceof Error ? error.message : error}`);
    process.exit(1);
  });
}

import type { Cache } from "../ports/cache";

/** Expired rows removed per write, so the table stays small without a sweeper. */
const SWEEP_BATCH = 50;

/** The embedded Cache on a Durable Object's SQLite, used when no Upstash URL is set. */
export class SqliteCache implements Cache {
  private readonly sql: SqlStorage;

  constructor(
    storage: DurableObjectStorage,
    private readonly now: () => number = Date.now,
  ) {
    this.sql = storage.sql;
    this.sql.exec(`
      CREATE TABLE IF NOT EXISTS entries (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL,
        expires_at INTEGER NOT NULL
      ) WITHOUT ROWID;
      CREATE INDEX IF NOT EXISTS entries_expires_at ON entries (expires_at);
    `);
  }

  async get(key: string): Promise<string | null> {
    return this.read(key);
  }

  async getMany(keys: string[]): Promise<(string | null)[]> {
    return keys.map((key) => this.read(key));
  }

  async set(key: string, value: string, ttlSeconds: number): Promise<void> {
    this.sweep();
    this.sql.exec(
      "INSERT INTO entries (key, value, expires_at) VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at",
      key,
      value,
      this.now() + ttlSeconds * 1000,
    );
  }

  async delete(key: string): Promise<void> {
    this.sql.exec("DELETE FROM entries WHERE key = ?", key);
  }

  async hit(key: string, windowSeconds: number): Promise<{ count: number; resetSeconds: number }> {
    this.sweep();
    const now = this.now();
    const row = this.sql
      .exec<{ value: string; expires_at: number }>(
        `INSERT INTO entries (key, value, expires_at) VALUES (?, '1', ?)
         ON CONFLICT (key) DO UPDATE SET
           value = CASE WHEN expires_at <= ? THEN '1' ELSE CAST(CAST(value AS INTEGER) + 1 AS TEXT) END,
           expires_at = CASE WHEN expires_at <= ? THEN excluded.expires_at ELSE expires_at END
         RETURNING value, expires_at`,
        key,
        now + windowSeconds * 1000,
        now,
        now,
      )
      .one();
    return { count: Number(row.value), resetSeconds: Math.max(1, Math.ceil((row.expires_at - now) / 1000)) };
  }

  private read(key: string): string | null {
    const row = this.sql
      .exec<{ value: string }>("SELECT value FROM entries WHERE key = ? AND expires_at > ?", key, this.now())
      .toArray()[0];
    return row?.value ?? null;
  }

  private sweep(): void {
    this.sql.exec(
      "DELETE FROM entries WHERE key IN (SELECT key FROM entries WHERE expires_at <= ? LIMIT ?)",
      this.now(),
      SWEEP_BATCH,
    );
  }
}

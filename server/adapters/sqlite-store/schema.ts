/**
 * The embedded Store's tables, created or brought up to date when the store is built: every step
 * is safe to repeat, so an older database gains what it lacks and keeps its rows.
 */
export function migrate(sql: SqlStorage): void {
  sql.exec(`
    CREATE TABLE IF NOT EXISTS users (
      id TEXT PRIMARY KEY,
      username TEXT NOT NULL,
      username_key TEXT NOT NULL UNIQUE,
      password_hash TEXT NOT NULL,
      created_at INTEGER NOT NULL,
      expires_at INTEGER NOT NULL
    );
    CREATE INDEX IF NOT EXISTS users_expires_at ON users (expires_at);
    CREATE TABLE IF NOT EXISTS user_trigrams (
      trigram TEXT NOT NULL,
      user_id TEXT NOT NULL,
      PRIMARY KEY (trigram, user_id)
    ) WITHOUT ROWID;
    CREATE INDEX IF NOT EXISTS user_trigrams_user ON user_trigrams (user_id);
    CREATE TABLE IF NOT EXISTS connections (
      user_low TEXT NOT NULL,
      user_high TEXT NOT NULL,
      conversation_id TEXT NOT NULL,
      created_at INTEGER NOT NULL,
      PRIMARY KEY (user_low, user_high)
    ) WITHOUT ROWID;
    CREATE INDEX IF NOT EXISTS connections_high ON connections (user_high);
    CREATE TABLE IF NOT EXISTS conversations (
      id TEXT PRIMARY KEY,
      created_at INTEGER NOT NULL
    );
    CREATE TABLE IF NOT EXISTS conversation_members (
      conversation_id TEXT NOT NULL,
      user_id TEXT NOT NULL,
      PRIMARY KEY (conversation_id, user_id)
    ) WITHOUT ROWID;
    CREATE INDEX IF NOT EXISTS conversation_members_user ON conversation_members (user_id);
    CREATE TABLE IF NOT EXISTS archived_messages (
      conversation_id TEXT NOT NULL,
      seq INTEGER NOT NULL,
      id TEXT NOT NULL,
      sender_id TEXT NOT NULL,
      body TEXT NOT NULL,
      sent_at INTEGER NOT NULL,
      PRIMARY KEY (conversation_id, seq)
    ) WITHOUT ROWID;
  `);
  // Databases from before conversations could be closed: add the column once.
  const columns = sql.exec<{ name: string }>("SELECT name FROM pragma_table_info('conversations')").toArray();
  if (!columns.some((column) => column.name === "closed")) {
    sql.exec("ALTER TABLE conversations ADD COLUMN closed INTEGER NOT NULL DEFAULT 0");
    // Under the old rule a conversation without its connection was out of reach: keep it so.
    sql.exec(`UPDATE conversations SET closed = 1 WHERE id NOT IN (SELECT conversation_id FROM connections)`);
  }
  // Consent: connections made before requests existed were mutual, so they stay accepted.
  addColumn(sql, "connections", "status", "TEXT NOT NULL DEFAULT 'accepted'");
  addColumn(sql, "connections", "requested_by", "TEXT NOT NULL DEFAULT ''");
  addColumn(sql, "conversations", "pending_from", "TEXT");
  // Groups are conversations with a name (NULL for one-to-one) and a version for optimistic saves.
  addColumn(sql, "conversations", "group_name", "TEXT");
  addColumn(sql, "conversations", "created_by", "TEXT");
  addColumn(sql, "conversations", "version", "INTEGER NOT NULL DEFAULT 0");
  addColumn(sql, "conversation_members", "admin", "INTEGER NOT NULL DEFAULT 0");
  addColumn(sql, "conversation_members", "muted", "INTEGER NOT NULL DEFAULT 0");
  addColumn(sql, "conversation_members", "joined_at", "INTEGER NOT NULL DEFAULT 0");
  // 1 once deleted for everyone: the body is empty.
  addColumn(sql, "archived_messages", "deleted", "INTEGER NOT NULL DEFAULT 0");
  // Replies, edits and reactions, NULL on a message without them; reply_to and reactions are JSON text.
  addColumn(sql, "archived_messages", "reply_to", "TEXT");
  addColumn(sql, "archived_messages", "edited_at", "INTEGER");
  addColumn(sql, "archived_messages", "reactions", "TEXT");
  sql.exec(`
    CREATE TABLE IF NOT EXISTS blocks (
      blocker TEXT NOT NULL,
      blocked TEXT NOT NULL,
      created_at INTEGER NOT NULL,
      PRIMARY KEY (blocker, blocked)
    ) WITHOUT ROWID;
    CREATE INDEX IF NOT EXISTS blocks_blocked ON blocks (blocked);
    CREATE TABLE IF NOT EXISTS invites (
      token_hash TEXT PRIMARY KEY,
      inviter_id TEXT NOT NULL,
      expires_at INTEGER NOT NULL
    ) WITHOUT ROWID;
    CREATE INDEX IF NOT EXISTS invites_inviter ON invites (inviter_id);
  `);
}

function addColumn(sql: SqlStorage, table: string, column: string, definition: string): void {
  const columns = sql.exec<{ name: string }>(`SELECT name FROM pragma_table_info('${table}')`).toArray();
  if (!columns.some((existing) => existing.name === column)) {
    sql.exec(`ALTER TABLE ${table} ADD COLUMN ${column} ${definition}`);
  }
}

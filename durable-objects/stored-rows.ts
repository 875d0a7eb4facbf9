/**
 * Whether an object's SQLite holds any row. An object that holds none has nothing for
 * `deleteAll()` to remove, and `deleteAll()` is its dearest call (under workerd it recreates the
 * database): ending ten thousand untouched hubs and rooms would pay it for nothing.
 */
export function holdsRows(sql: SqlStorage): boolean {
  const tables = sql
    .exec<{ name: string }>(
      // SQLite's, the platform's (_cf_KV), and miniflare's (__miniflare_do_name, local only) are not ours.
      "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' AND name NOT LIKE '\\_cf\\_%' ESCAPE '\\' AND name NOT LIKE '\\_\\_miniflare%' ESCAPE '\\'",
    )
    .toArray();
  // Names come from sqlite_master, not from input; an identifier cannot be a bound parameter.
  return tables.some(
    ({ name }) => sql.exec(`SELECT 1 FROM "${name.replaceAll('"', '""')}" LIMIT 1`).toArray().length > 0,
  );
}

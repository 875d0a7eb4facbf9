/**
 * The same server with another database: the database is the URI's path (the rule the driver,
 * `npm run migrate` and the Worker share), so each test file works in a database of its own.
 */
export function withDatabase(uri: string, database: string): string {
  const match = /^(mongodb(?:\+srv)?:\/\/[^/?]+)(\/[^?]*)?(\?.*)?$/.exec(uri);
  if (!match) throw new Error(`not a MongoDB URI: ${uri}`);
  return `${match[1]}/${database}${match[3] ?? ""}`;
}

/** A database name no other run uses. */
export const freshDatabase = (prefix: string) => `${prefix}_${crypto.randomUUID().replaceAll("-", "").slice(0, 12)}`;

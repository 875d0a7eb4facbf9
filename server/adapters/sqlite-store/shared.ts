/** What the embedded Store's areas share: how they answer, and the shape of a user as others see them. */

export const ok = <T>(value: T) => ({ ok: true, value }) as const;

/** A type, not an interface: SqlStorage rows need an index signature. */
export type RefRow = { id: string; username: string };

/**
 * An area on the Durable Object's SQLite: the storage for its transactions and its SQL. Fields,
 * never methods: storeOfAreas makes every method of an area (and of this class) a Store call.
 */
export abstract class SqliteArea {
  protected readonly sql: SqlStorage;

  constructor(protected readonly storage: DurableObjectStorage) {
    this.sql = storage.sql;
  }
}

import type { Db } from "mongodb";
import type { HealthStore, Result } from "../../ports/store";
import { guard, ok } from "./guard";

export class MongoHealth implements HealthStore {
  constructor(private readonly db: Db) {}

  ping(): Promise<Result<null>> {
    return guard(async () => {
      await this.db.command({ ping: 1 });
      return ok(null);
    });
  }
}

import type { HealthStore, Result } from "../../ports/store";
import { ok } from "./shared";

/** Local: the embedded store always answers. */
export class SqliteHealth implements HealthStore {
  async ping(): Promise<Result<null>> {
    return ok(null);
  }
}

import { MongoBulkWriteError, MongoNetworkError, MongoServerError, MongoServerSelectionError } from "mongodb";
import { describe, expect, it } from "vitest";
import { isUnavailable } from "./mongo-store";

/** What insertMany throws: the driver wraps whatever stopped the batch. */
const bulkError = (cause: Error | { message: string; code: number }) =>
  new MongoBulkWriteError(cause as never, {} as never);

describe("isUnavailable", () => {
  it("calls a cluster that did not answer unavailable, also inside a bulk write", () => {
    expect(isUnavailable(new MongoNetworkError("connect ECONNREFUSED 127.0.0.1:27017"))).toBe(true);
    expect(isUnavailable(new MongoServerSelectionError("Server selection timed out", {} as never))).toBe(true);
    expect(isUnavailable(bulkError(new MongoNetworkError("connect ECONNREFUSED 127.0.0.1:27017")))).toBe(true);
    expect(isUnavailable(new MongoServerError({ message: "not primary", code: 10107 }))).toBe(true);
  });

  it("does not call a refused request unavailable", () => {
    expect(isUnavailable(bulkError({ message: "E11000 duplicate key error", code: 11000 }))).toBe(false);
    expect(isUnavailable(new MongoServerError({ message: "E11000 duplicate key error", code: 11000 }))).toBe(false);
    expect(isUnavailable(new Error("a bug"))).toBe(false);
  });
});

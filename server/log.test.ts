import { afterEach, describe, expect, it, vi } from "vitest";
import { log } from "./log";

describe("log", () => {
  afterEach(() => vi.restoreAllMocks());

  it("writes one JSON object per line with a level, an event, its fields and the error's kind and message", () => {
    const lines: string[] = [];
    vi.spyOn(console, "error").mockImplementation((line: string) => lines.push(line));
    log("error", "archive_write_failed", { conversationId: "dm_1", attempt: 2 }, new TypeError("socket closed"));
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toEqual({
      level: "error",
      event: "archive_write_failed",
      conversationId: "dm_1",
      attempt: 2,
      error: "TypeError: socket closed",
    });
  });

  it("keeps info and warnings on their own streams", () => {
    const info = vi.spyOn(console, "log").mockImplementation(() => {});
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    log("info", "purge_done", { removed: 3 });
    log("warn", "mongo_unavailable");
    expect(JSON.parse(String(info.mock.calls[0]?.[0]))).toEqual({ level: "info", event: "purge_done", removed: 3 });
    expect(JSON.parse(String(warn.mock.calls[0]?.[0]))).toEqual({ level: "warn", event: "mongo_unavailable" });
  });
});

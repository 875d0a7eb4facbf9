import { describe, expect, it } from "vitest";
import { MemoryStorage } from "../../../test/web/fixtures";
import type { PendingMessage } from "./outbox-store";
import { OutboxStore } from "./outbox-store";

const NOW = Date.parse("2025-03-10T12:00:00Z");

function pending(id: string, body = `body of ${id}`, createdAt = new Date(NOW).toISOString()): PendingMessage {
  return { id, body, createdAt };
}

function setup() {
  const storage = new MemoryStorage();
  return { storage, store: new OutboxStore(storage) };
}

describe("the outbox in Web Storage", () => {
  it("keeps saved messages per conversation, oldest first", () => {
    const { store } = setup();
    store.save("ann", "c1", pending("m1"));
    store.save("ann", "c1", pending("m2"));
    store.save("ann", "c2", pending("m3"));

    expect(store.list("ann", "c1").map((message) => message.id)).toEqual(["m1", "m2"]);
    expect(store.list("ann", "c2")).toEqual([pending("m3")]);
    expect(store.conversations("ann").sort()).toEqual(["c1", "c2"]);
  });

  it("survives a new store over the same storage, as after a reload", () => {
    const { storage, store } = setup();
    store.save("ann", "c1", pending("m1", "written before the reload"));

    expect(new OutboxStore(storage).list("ann", "c1")).toEqual([pending("m1", "written before the reload")]);
  });

  it("keeps one copy of a message saved twice", () => {
    const { store } = setup();
    store.save("ann", "c1", pending("m1"));
    store.save("ann", "c1", pending("m1"));

    expect(store.list("ann", "c1")).toHaveLength(1);
  });

  it("keeps why a message was refused, and its place when saved again", () => {
    const { storage, store } = setup();
    store.save("ann", "c1", pending("m1"));
    store.save("ann", "c1", pending("m2"));
    store.save("ann", "c1", { ...pending("m1"), error: "Could not store it" });

    expect(new OutboxStore(storage).list("ann", "c1")).toEqual([
      { ...pending("m1"), error: "Could not store it" },
      pending("m2"),
    ]);
  });

  it("removes an acknowledged message and leaves the others", () => {
    const { store } = setup();
    store.save("ann", "c1", pending("m1"));
    store.save("ann", "c1", pending("m2"));
    store.remove("ann", "c1", "m1");

    expect(store.list("ann", "c1").map((message) => message.id)).toEqual(["m2"]);
  });

  it("leaves no entry behind once every message is acknowledged", () => {
    const { storage, store } = setup();
    store.save("ann", "c1", pending("m1"));
    store.remove("ann", "c1", "m1");

    expect(storage.items.size).toBe(0);
    expect(store.conversations("ann")).toEqual([]);
  });

  it("keeps each user's messages apart", () => {
    const { store } = setup();
    store.save("ann", "c1", pending("m1"));
    store.save("bea", "c1", pending("m2"));

    expect(store.list("ann", "c1").map((message) => message.id)).toEqual(["m1"]);
    expect(store.list("bea", "c1").map((message) => message.id)).toEqual(["m2"]);
    expect(store.conversations("bea")).toEqual(["c1"]);
  });

  it("does not mix up users whose ids share a beginning or hold the separator", () => {
    const { store } = setup();
    store.save("ann", "x:y", pending("m1"));
    store.save("ann:x", "y", pending("m2"));
    store.save("anne", "c1", pending("m3"));

    expect(store.conversations("ann")).toEqual(["x:y"]);
    store.clear("ann");
    expect(store.list("ann:x", "y").map((message) => message.id)).toEqual(["m2"]);
    expect(store.list("anne", "c1").map((message) => message.id)).toEqual(["m3"]);
  });

  it("forgets every message of a user who logs out, and only theirs", () => {
    const { storage, store } = setup();
    storage.setItem("theme", "dark");
    store.save("ann", "c1", pending("m1"));
    store.save("ann", "c2", pending("m2"));
    store.save("bea", "c1", pending("m3"));
    store.clear("ann");

    expect(store.conversations("ann")).toEqual([]);
    expect(store.list("ann", "c1")).toEqual([]);
    expect(store.list("bea", "c1").map((message) => message.id)).toEqual(["m3"]);
    expect(storage.getItem("theme")).toBe("dark");
  });

  it("forgets a conversation that no longer exists", () => {
    const { store } = setup();
    store.save("ann", "c1", pending("m1"));
    store.save("ann", "c2", pending("m2"));
    store.drop("ann", "c1");

    expect(store.conversations("ann")).toEqual(["c2"]);
  });

  it("ignores an entry that is not valid JSON, and writes over it", () => {
    const { storage, store } = setup();
    store.save("ann", "c1", pending("m1"));
    const [key] = [...storage.items.keys()];
    storage.setItem(key!, "{not json");

    expect(store.list("ann", "c1")).toEqual([]);
    expect(store.conversations("ann")).toEqual([]);
    store.save("ann", "c1", pending("m2"));
    expect(store.list("ann", "c1").map((message) => message.id)).toEqual(["m2"]);
  });

  it("ignores JSON of the wrong shape and items that are not messages", () => {
    const { storage, store } = setup();
    store.save("ann", "c1", pending("m1"));
    store.save("ann", "c2", pending("m2"));
    const [first, second] = [...storage.items.keys()];
    storage.setItem(first!, JSON.stringify({ id: "m1" }));
    storage.setItem(second!, JSON.stringify([null, 7, { id: "x", body: 3 }, pending("m2")]));

    expect(store.list("ann", "c1")).toEqual([]);
    expect(store.list("ann", "c2")).toEqual([pending("m2")]);
  });

  it("removes messages older than any account lives, of every user", () => {
    const { store } = setup();
    const eightDaysAgo = new Date(NOW - 8 * 86_400_000).toISOString();
    const anHourAgo = new Date(NOW - 3_600_000).toISOString();
    store.save("ann", "c1", pending("old", "stale", eightDaysAgo));
    store.save("ann", "c1", pending("new", "fresh", anHourAgo));
    store.save("gone", "c9", pending("older", "stale", eightDaysAgo));
    store.prune(NOW);

    expect(store.list("ann", "c1").map((message) => message.id)).toEqual(["new"]);
    expect(store.conversations("gone")).toEqual([]);
  });

  it("keeps working when the storage refuses to write", () => {
    const { storage, store } = setup();
    storage.setItem = () => {
      throw new DOMException("quota exceeded", "QuotaExceededError");
    };

    expect(() => store.save("ann", "c1", pending("m1"))).not.toThrow();
    expect(store.list("ann", "c1")).toEqual([]);
  });
});

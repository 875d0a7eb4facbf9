import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { roomFor } from "../../durable-objects/addresses";
import { RoomArchive } from "../../durable-objects/room-archive";
import { ConversationLog } from "../../durable-objects/room-log";
import { createMongoClient } from "../../server/adapters/mongo-store";
import { storeFor } from "../../server/ports";
import { storeAt } from "../../server/ports/index";
import type { ArchivedMessage, Store } from "../../server/ports/store";
import { openSocket, pair, roomPath } from "../workers/helpers";
import { eventually } from "./mongo-control";

const host = () => storeAt(env, "mongo-0");

async function archived(conversationId: string): Promise<ArchivedMessage[]> {
  const page = await host().messagesBefore(conversationId, Number.MAX_SAFE_INTEGER, 500);
  return page.ok ? page.value : [];
}

/** The real Store, with every batch the archive hands it written down: nothing stands in for MongoDB. */
function recording(store: Store) {
  const batches: ArchivedMessage[][] = [];
  const archive: Pick<Store, "archiveMessages"> = {
    archiveMessages: (batch) => {
      batches.push(batch);
      return store.archiveMessages(batch);
    },
  };
  return { batches, archive };
}

/** Runs `body` inside a fresh room with its log and a RoomArchive over the recording Store. */
function inRoom(
  body: (parts: { log: ConversationLog; archive: RoomArchive; batches: ArchivedMessage[][] }) => Promise<void>,
) {
  const conversationId = `dm_${crypto.randomUUID().replaceAll("-", "")}`;
  return runInDurableObject(roomFor(env, conversationId), async (_room, state) => {
    const log = new ConversationLog(state.storage);
    log.remember(conversationId, [{ id: "ann", username: "ann" }], null);
    const { batches, archive } = recording(storeFor(env, conversationId));
    await body({ log, archive: new RoomArchive(log, () => archive), batches });
  });
}

const append = (log: ConversationLog, from: number, to: number) => {
  for (let i = from; i <= to; i++) log.append(`m-${i}`, "ann", `message ${i}`, Date.now(), Number.MAX_SAFE_INTEGER);
};
const seqs = (batch: ArchivedMessage[] | undefined) => batch?.map((message) => message.seq);

describe("what a flush writes", () => {
  it("writes only the messages past the watermark: a second flush with k new messages sends those k", async () => {
    await inRoom(async ({ log, archive, batches }) => {
      append(log, 1, 5);
      expect(await archive.flush()).toEqual({ state: "done", written: 5 });
      expect(log.meta.archivedThrough()).toBe(5);
      append(log, 6, 8);
      expect(await archive.flush()).toEqual({ state: "done", written: 3 });
      expect(await archive.flush()).toEqual({ state: "done", written: 0 });
      expect(batches.map(seqs)).toEqual([
        [1, 2, 3, 4, 5],
        [6, 7, 8],
      ]);
      expect((await archived(log.meta.conversationId()!)).map((message) => message.seq)).toEqual([
        1, 2, 3, 4, 5, 6, 7, 8,
      ]);
    });
  });

  it("writes a deletion of an archived message once, then nothing", async () => {
    await inRoom(async ({ log, archive, batches }) => {
      append(log, 1, 3);
      await archive.flush();
      log.messages.delete(2, "ann");
      expect(archive.deleted(2)).toBe(true);
      expect(await archive.flush()).toEqual({ state: "done", written: 0 });
      expect(await archive.flush()).toEqual({ state: "done", written: 0 });
      expect(batches.slice(1)).toEqual([[expect.objectContaining({ seq: 2, body: "", deleted: true })]]);
    });
  });

  it("queues a deletion of a message in a batch being written, and empties it by the next flush", async () => {
    await inRoom(async ({ log, archive, batches }) => {
      append(log, 1, 3);
      const inFlight = archive.flush();
      // The batch holds seq 2 with its body; it is deleted before the Store answers.
      log.messages.delete(2, "ann");
      expect(archive.deleted(2)).toBe(true);
      await inFlight;
      await archive.flush();
      expect(batches.map(seqs)).toEqual([[1, 2, 3], [2]]);
      const [, second] = await archived(log.meta.conversationId()!);
      expect(second).toMatchObject({ seq: 2, body: "", deleted: true });
    });
  });

  it("queues nothing for a message the archive has not taken yet: its first write is already empty", async () => {
    await inRoom(async ({ log, archive, batches }) => {
      append(log, 1, 2);
      log.messages.delete(2, "ann");
      expect(archive.deleted(2)).toBe(false);
      await archive.flush();
      expect(batches).toEqual([
        [expect.objectContaining({ seq: 1 }), expect.objectContaining({ seq: 2, body: "", deleted: true })],
      ]);
    });
  });
});

describe("a message deleted after it was archived", () => {
  it("loses its body in MongoDB too, and the archive's history shows it deleted", async () => {
    const { ann, bob, conversationId } = await pair();
    const a = await openSocket(roomPath(conversationId), ann.cookie);
    const b = await openSocket(roomPath(conversationId), bob.cookie);
    await a.nextOfType("hello");
    for (let i = 1; i <= 3; i++) {
      a.send({ type: "send", id: `secret-${i}`, body: `secret ${i}` });
      await a.next((frame) => frame.type === "ack" && frame.id === `secret-${i}`);
    }
    await eventually(async () => (await archived(conversationId)).length === 3, 10_000, "3 archived messages");

    a.send({ type: "delete", seq: 2 });
    expect(await b.nextOfType("deleted")).toMatchObject({ seq: 2 });
    await eventually(
      async () => (await archived(conversationId))[1]?.deleted === true,
      10_000,
      "the deletion in the archive",
    );

    // The document itself, read with the driver: no body left.
    const client = createMongoClient(env.MONGODB_URI);
    try {
      const doc = await client
        .db()
        .collection("messages")
        .findOne({ _id: `${conversationId}:2` as never });
      expect(doc).toMatchObject({ conversationId, seq: 2, clientId: "secret-2", body: "", deleted: true });
    } finally {
      await client.close();
    }
    expect((await archived(conversationId)).map(({ body, deleted }) => ({ body, deleted }))).toEqual([
      { body: "secret 1", deleted: undefined },
      { body: "", deleted: true },
      { body: "secret 3", deleted: undefined },
    ]);
    a.close();
    b.close();
  });
});

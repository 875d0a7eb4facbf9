import { evictDurableObject, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { roomFor } from "../../durable-objects/addresses";
import { ConversationLog } from "../../durable-objects/room-log";
import { WIRE_LIMITS } from "../../protocol/wire";
import { SEED } from "./fuzz";
import { connect, type Frame, openSocket, roomPath, type Session, signUp, type TestSocket } from "./helpers";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** Under 5 sends a second per socket, so a steady sender is never refused. */
const SEND_GAP_MS = 1000 / WIRE_LIMITS.sendsPerSecond + 20;

/** A seeded stream of numbers in [0, 1) (mulberry32), so a run's drop points can be replayed from its seed. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

interface Stored {
  seq: number;
  id: string;
  senderId: string;
}

async function storedMessages(conversationId: string): Promise<Stored[]> {
  return runInDurableObject(roomFor(env, conversationId), (_room, state) =>
    state.storage.sql
      .exec<{ seq: number; id: string; sender_id: string }>("SELECT seq, id, sender_id FROM messages ORDER BY seq")
      .toArray()
      .map((row) => ({ seq: row.seq, id: row.id, senderId: row.sender_id })),
  );
}

/** Alternating senders, straight into the room's log: a long history without the send limits. */
async function seedHistory(conversationId: string, senders: string[], count: number): Promise<void> {
  await runInDurableObject(roomFor(env, conversationId), (_room, state) => {
    const log = new ConversationLog(state.storage);
    for (let i = 1; i <= count; i++)
      log.append(`seed-${i}`, senders[i % senders.length]!, `seeded ${i}`, Date.now(), Number.MAX_SAFE_INTEGER);
  });
}

/**
 * One person's client as API.md describes it: an outbox resent with the same ids on every new
 * socket, a resume point that only `replayed` moves, and a log keyed by seq.
 */
class Client {
  socket: TestSocket | null = null;
  /** Resume point: everything up to here arrived through a gapless replay. */
  through = 0;
  readonly log = new Map<number, string>();
  readonly outbox = new Map<string, string>();
  readonly acked = new Map<string, number>();
  sent = 0;
  resent = 0;
  drops = 0;
  duplicateDeliveries = 0;
  pagesReplayed = 0;

  constructor(
    readonly name: string,
    readonly session: Session,
    readonly conversationId: string,
  ) {}

  /** Opens a socket, catches up page by page, and resends what was never acknowledged. */
  async connect(dropDuringReplay: () => boolean): Promise<void> {
    const socket = await openSocket(roomPath(this.conversationId), this.session.cookie);
    this.socket = socket;
    let lastLive = 0;
    let replaying = false;
    let pageOrder: number[] = [];
    socket.ws.addEventListener("message", (event) => {
      if (typeof event.data !== "string" || event.data === "pong") return;
      const frame = JSON.parse(event.data) as Frame;
      if (frame.type === "ack") {
        const id = frame.id as string;
        const seq = frame.seq as number;
        // A resend is acknowledged with the seq the message was first stored under.
        if (this.acked.has(id)) expect(seq, `ack of ${id}`).toBe(this.acked.get(id));
        this.acked.set(id, seq);
        this.outbox.delete(id);
      }
      if (frame.type === "message") {
        const { seq, id } = frame.message as { seq: number; id: string };
        const known = this.log.get(seq);
        if (known !== undefined) {
          expect(known, `seq ${seq} delivered as two messages`).toBe(id);
          this.duplicateDeliveries += 1;
        }
        this.log.set(seq, id);
        if (replaying) {
          // A page comes in order; a live message may interleave only before or after it.
          if (seq > this.through) pageOrder.push(seq);
        } else {
          expect(seq, `live seq after ${lastLive}`).toBeGreaterThan(lastLive);
          lastLive = seq;
        }
      }
    });
    await socket.nextOfType("hello");
    for (;;) {
      replaying = true;
      pageOrder = [];
      socket.send({ type: "resume", afterSeq: this.through });
      const replayed = await socket.nextOfType("replayed", 5000);
      replaying = false;
      this.pagesReplayed += 1;
      // The page starts at the lowest seq after the resume point; live frames may precede or follow it.
      const start = pageOrder.lastIndexOf(Math.min(...pageOrder));
      const page = pageOrder.slice(Math.max(start, 0)).filter((seq) => seq <= (replayed.throughSeq as number));
      expect(page, "a replayed page in seq order").toEqual([...page].sort((a, b) => a - b));
      expect(new Set(page).size).toBeLessThanOrEqual(WIRE_LIMITS.replayPage + 1);
      this.through = replayed.throughSeq as number;
      if (!replayed.more) break;
      if (dropDuringReplay()) {
        this.drop();
        return this.connect(dropDuringReplay);
      }
    }
    for (const [id, body] of this.outbox) {
      socket.send({ type: "send", id, body });
      this.resent += 1;
      await sleep(SEND_GAP_MS);
    }
  }

  send(id: string, body: string): void {
    this.outbox.set(id, body);
    this.sent += 1;
    this.socket!.send({ type: "send", id, body });
  }

  /** The connection goes, at once: what was in flight may or may not have been stored. */
  drop(): void {
    this.drops += 1;
    this.socket?.close();
    this.socket = null;
  }
}

describe("faults: dropped sockets and evicted rooms lose nothing", () => {
  it("a 1 000-message exchange with sockets dropped at random ends with every message once and in order on both sides", async () => {
    const started = Date.now();
    const ann = await signUp();
    const bob = await signUp();
    const conversationId = await connect(ann, bob);
    const SEEDED = 800;
    const LIVE_EACH = 100;
    await seedHistory(conversationId, [ann.user.id, bob.user.id], SEEDED);
    const next = random(SEED);
    const clients = [new Client("ann", ann, conversationId), new Client("bob", bob, conversationId)];
    const dropDuringReplay = () => next() < 0.3;

    await Promise.all(
      clients.map(async (client) => {
        await client.connect(dropDuringReplay);
        for (let i = 1; i <= LIVE_EACH; i++) {
          client.send(`${client.name}-${i}`, `${client.name} says ${i}`);
          const roll = next();
          // Dropped right after a send (the ack may be lost) or between sends.
          if (roll < 0.04) {
            client.drop();
            await client.connect(dropDuringReplay);
          }
          await sleep(SEND_GAP_MS);
          if (roll > 0.97) {
            client.drop();
            await client.connect(dropDuringReplay);
          }
        }
        // Whatever is still unacknowledged goes again until it is.
        for (let attempt = 0; client.outbox.size > 0 && attempt < 10; attempt++) {
          await sleep(300);
          if (client.outbox.size === 0) break;
          client.drop();
          await client.connect(() => false);
        }
      }),
    );
    // A last catch-up on both sides, after both stopped sending.
    for (const client of clients) {
      client.drop();
      client.drops -= 1;
      await client.connect(() => false);
      await sleep(100);
    }

    const stored = await storedMessages(conversationId);
    expect(stored).toHaveLength(SEEDED + 2 * LIVE_EACH);
    expect(new Set(stored.map((m) => m.id)).size).toBe(stored.length);
    const seqOf = new Map(stored.map((m) => [m.id, m.seq]));
    for (const client of clients) {
      expect(client.outbox.size, `${client.name} unacknowledged`).toBe(0);
      for (const [id, seq] of client.acked) expect(seqOf.get(id), `stored seq of ${id}`).toBe(seq);
      // Every message exactly once, in seq order, on both sides.
      const seen = [...client.log.entries()].sort((a, b) => a[0] - b[0]);
      expect(seen).toEqual(stored.map((m) => [m.seq, m.id]));
      client.socket?.close();
    }
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    console.log(
      `exchange: ${stored.length} messages (${SEEDED} seeded, ${2 * LIVE_EACH} sent live) checked on 2 sides; ` +
        `drops ${clients.map((c) => `${c.name} ${c.drops}`).join(", ")}; ` +
        `resends ${clients.map((c) => `${c.name} ${c.resent}`).join(", ")}; ` +
        `duplicate deliveries deduped ${clients.map((c) => c.duplicateDeliveries).join("/")}; ` +
        `replay pages ${clients.map((c) => c.pagesReplayed).join("/")}; ${seconds} s; seed ${SEED}`,
    );
  }, 90_000);

  it("a room evicted in the middle of a burst loses nothing acknowledged; unacknowledged resends are stored once", async () => {
    const ann = await signUp();
    const bob = await signUp();
    const conversationId = await connect(ann, bob);
    const next = random(SEED + 1);
    const client = new Client("ann", ann, conversationId);
    const watcher = new Client("bob", bob, conversationId);
    await watcher.connect(() => false);
    let evictions = 0;
    let total = 0;
    for (let round = 0; round < 6; round++) {
      await client.connect(() => false);
      const at = 1 + Math.floor(next() * (WIRE_LIMITS.sendBurst - 2));
      const webSockets = round % 2 === 0 ? "hibernate" : "close";
      for (let i = 1; i <= WIRE_LIMITS.sendBurst - 1; i++) {
        client.send(`burst-${round}-${i}`, `burst ${round} message ${i}`);
        total += 1;
        if (i === at) {
          await evictDurableObject(roomFor(env, conversationId), { webSockets });
          evictions += 1;
        }
      }
      await sleep(300);
      // A closed socket is reopened: the room replays what was missed and the outbox goes again.
      if (client.socket?.closed) client.drop();
      if (watcher.socket?.closed) {
        watcher.drop();
        await watcher.connect(() => false);
      }
      await sleep(WIRE_LIMITS.sendBurst * SEND_GAP_MS);
      client.drop();
    }
    for (let attempt = 0; client.outbox.size > 0 && attempt < 5; attempt++) {
      await client.connect(() => false);
      await sleep(500);
      client.drop();
    }
    watcher.drop();
    await watcher.connect(() => false);
    await sleep(200);

    const stored = await storedMessages(conversationId);
    const seqOf = new Map(stored.map((m) => [m.id, m.seq]));
    expect(client.acked.size).toBe(total);
    for (const [id, seq] of client.acked) expect(seqOf.get(id), `acknowledged ${id}`).toBe(seq);
    expect(stored).toHaveLength(total);
    expect(new Set(stored.map((m) => m.id)).size).toBe(total);
    expect([...watcher.log.entries()].sort((a, b) => a[0] - b[0])).toEqual(stored.map((m) => [m.seq, m.id]));
    watcher.socket?.close();
    console.log(
      `eviction: ${total} messages, ${evictions} evictions mid-burst, ${client.acked.size} acknowledged and stored once, ${client.resent} resends`,
    );
  }, 60_000);
});

import { DurableObject } from "cloudflare:workers";
import { type Connection, type Group, LIFETIME_HOURS_MAX, type Message } from "../protocol/api";
import {
  type AccountEndReason,
  CLOSE_ACCOUNT_ENDED,
  CLOSE_POLICY_VIOLATION,
  CLOSE_REPLACED,
  CLOSE_SESSION_ENDED,
  type ConnectionRemovalReason,
  type GROUP_REMOVAL_REASONS,
  type HubMessage,
  WIRE_LIMITS,
} from "../protocol/wire";
import { countedStorage } from "../server/counters";
import type { ConversationActivity, GroupView } from "../server/hub-views";
import { log } from "../server/log";
import { cacheFor, endedSessionsFor, storeFor } from "../server/ports";
import { forgetPresence, readPresence, recordPresence } from "../server/presence";
import { hubFor } from "./addresses";
import { readIdentity } from "./identity";
import { AlarmScheduler } from "./scheduler";
import { HibernatingSockets, type SocketJob } from "./sockets";
import { holdsRows } from "./stored-rows";

type ActivityRow = { conversation_id: string; unread: number; last_message: string | null; mentioned: number };

/**
 * One user: their notification sockets across tabs and devices. Online while any socket is
 * open; tells the hubs of the user's connections when that changes; keeps unread counts and
 * last-message previews per conversation, pushed by the rooms.
 */
export class UserHub extends DurableObject<Env> {
  private readonly sql: SqlStorage;
  private readonly sockets: HibernatingSockets;
  private readonly scheduler: AlarmScheduler<SocketJob>;
  /**
   * Set once the account ended: late calls (a room's notice, a socket's close event) are no-ops
   * instead of writing into, or reading from, storage that is gone.
   */
  private ended = false;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    const storage = countedStorage(ctx.storage, "hub", env);
    this.sql = storage.sql;
    this.sockets = new HibernatingSockets(ctx);
    this.scheduler = new AlarmScheduler(storage);
    this.migrate();
  }

  override async fetch(request: Request): Promise<Response> {
    const refusal = HibernatingSockets.refuseNonUpgrade(request);
    if (refusal) return refusal;
    const identity = readIdentity(request);
    if (!identity)
      return Response.json({ error: { code: "bad_request", message: "Missing identity." } }, { status: 400 });
    if (this.ended) {
      return Response.json({ error: { code: "account_ended", message: "This account has ended." } }, { status: 410 });
    }
    const now = Date.now();
    this.sql.exec("INSERT OR REPLACE INTO meta (key, value) VALUES ('user_id', ?)", identity.userId);
    this.sockets.makeRoom(identity.userId, WIRE_LIMITS.socketsPerUser, CLOSE_REPLACED);
    const cameOnline = this.sockets.open().length === 0;
    const { client, server } = this.sockets.accept(identity, now);
    this.sockets.watch(this.scheduler, now);
    // Answer 101 first; the snapshot and the presence change follow on the open socket.
    this.ctx.waitUntil(this.greet(server, identity.userId, cameOnline));
    return new Response(null, { status: 101, webSocket: client });
  }

  /** The hub takes no frames besides heartbeats, which the platform answers. */
  override webSocketMessage(ws: WebSocket): void {
    this.sockets.send(ws, {
      type: "error",
      code: "unexpected_frame",
      message: "This socket only sends.",
    } satisfies HubMessage);
    if (this.sockets.countViolation(ws) > WIRE_LIMITS.maxViolations) {
      this.sockets.close(ws, CLOSE_POLICY_VIOLATION, "too many invalid frames");
      this.ctx.waitUntil(this.leave(ws));
    }
  }

  override async webSocketClose(ws: WebSocket, code: number): Promise<void> {
    this.sockets.answerClose(ws, code);
    await this.leave(ws);
  }

  override async webSocketError(ws: WebSocket): Promise<void> {
    await this.leave(ws);
  }

  /**
   * Every timed job, each at least once (AlarmScheduler.runDue): the heartbeat sweep and account
   * expiry; then the presence snapshot is refreshed, also when a job failed. Idempotent.
   */
  override async alarm(): Promise<void> {
    if (this.ended) return;
    const now = Date.now();
    const closed: WebSocket[] = [];
    try {
      await this.scheduler.runDue(now, (job) => {
        if (job === "sweep") closed.push(...this.closeEach(this.sockets.stale(now), 1001, "heartbeat timeout"));
        if (job === "expiry") closed.push(...this.closeEach(this.sockets.expired(now), CLOSE_ACCOUNT_ENDED, "expired"));
      });
    } finally {
      if (this.userId() && (closed.length > 0 || this.sockets.open().length > 0)) {
        await this.publishPresence(undefined, closed.length > 0);
      }
      this.sockets.watch(this.scheduler, now);
    }
  }

  /** A room's latest state for one of the user's conversations. */
  async conversationActivity(activity: ConversationActivity): Promise<void> {
    if (this.ended) return;
    this.sql.exec(
      "INSERT OR REPLACE INTO activity (conversation_id, unread, last_message, mentioned) VALUES (?, ?, ?, ?)",
      activity.conversationId,
      activity.unread,
      activity.lastMessage ? JSON.stringify(activity.lastMessage) : null,
      activity.mentioned ? 1 : 0,
    );
    this.sockets.broadcast({ type: "unread", ...activity } satisfies HubMessage);
  }

  /** Unread counts and previews of every conversation with activity. */
  async summaries(): Promise<ConversationActivity[]> {
    if (this.ended) return [];
    return this.sql.exec<ActivityRow>("SELECT * FROM activity").toArray().map(toActivity);
  }

  async peerPresence(userId: string, online: boolean, lastSeenAt: string | null = null): Promise<void> {
    this.sockets.broadcast({ type: "presence", userId, online, lastSeenAt } satisfies HubMessage);
  }

  /** A contact is typing in one of the user's conversations that no tab of theirs has open. */
  async peerTyping(conversationId: string, userId: string, on: boolean): Promise<void> {
    this.sockets.broadcast({ type: "typing", conversationId, userId, on } satisfies HubMessage);
  }

  /** A new connection, a request that arrived, or one accepted; with the unread count and preview kept here. */
  async connectionAdded(connection: Connection): Promise<void> {
    if (this.ended) return;
    const activity = this.activityOf(connection.conversationId);
    const merged = activity
      ? { ...connection, lastMessage: activity.lastMessage, unread: activity.unread }
      : connection;
    this.sockets.broadcast({ type: "connection", connection: merged } satisfies HubMessage);
  }

  /** A group the user is in was created, joined or changed; with the unread count, preview and mention kept here. */
  async groupChanged(group: GroupView): Promise<void> {
    if (this.ended) return;
    const activity = this.activityOf(group.id);
    const merged: Group = {
      ...group,
      unread: activity?.unread ?? 0,
      lastMessage: activity?.lastMessage ?? null,
      mentioned: activity?.mentioned ?? false,
    };
    this.sockets.broadcast({ type: "group", group: merged } satisfies HubMessage);
  }

  /** The user is no longer in the group: removed, left (perhaps in another tab), or it is gone. */
  async groupRemoved(conversationId: string, reason: GroupRemovalReason): Promise<void> {
    if (this.ended) return;
    this.sql.exec("DELETE FROM activity WHERE conversation_id = ?", conversationId);
    this.sockets.broadcast({ type: "group-removed", conversationId, reason } satisfies HubMessage);
  }

  /** How many requests wait for the user's answer. */
  async requestsChanged(pending: number): Promise<void> {
    this.sockets.broadcast({ type: "requests", pending } satisfies HubMessage);
  }

  async connectionRemoved(userId: string, conversationId: string, reason: ConnectionRemovalReason): Promise<void> {
    if (this.ended) return;
    this.sql.exec("DELETE FROM activity WHERE conversation_id = ?", conversationId);
    this.sockets.broadcast({ type: "connection-removed", userId, conversationId, reason } satisfies HubMessage);
  }

  /** One sign-in was logged out: its sockets close at once, in every tab. */
  async endSession(sessionId: string): Promise<void> {
    const userId = this.userId();
    if (this.ended || !userId) return;
    const closed = this.closeEach(this.sockets.ofSession(userId, sessionId), CLOSE_SESSION_ENDED, "logged out");
    if (closed.length > 0 && this.sockets.open().length === 0) await this.publishPresence();
  }

  /**
   * The account is gone: its sessions end first (where each request's session check looks, so
   * no cookie of it is let in again), then every tab is told, the sockets close and everything
   * is forgotten. Safe to repeat; throws when no cache recorded the end, so that the deletion
   * or the purge that called it tries again.
   */
  async endAccount(reason: AccountEndReason): Promise<void> {
    if (this.ended) return;
    const userId = this.userId();
    const owner = this.ctx.id.name ?? userId;
    if (!owner) throw new Error("the hub cannot tell whose account ended");
    // A session lasts no longer than its account, which lives at most LIFETIME_HOURS_MAX.
    await endedSessionsFor(this.env).recordAccount(owner, LIFETIME_HOURS_MAX * 3_600);
    this.ended = true;
    this.sockets.broadcast({ type: "account-ended", reason } satisfies HubMessage);
    this.sockets.closeAll(CLOSE_ACCOUNT_ENDED, reason);
    if (userId) await forgetPresence(cacheFor(this.env), userId).catch(logFailure);
    await this.ctx.storage.deleteAlarm();
    // Nothing is created again: with `ended` set, no method of this instance touches storage.
    if (holdsRows(this.sql)) await this.ctx.storage.deleteAll();
  }

  private migrate(): void {
    this.sql.exec(`
      CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS activity (
        conversation_id TEXT PRIMARY KEY,
        unread INTEGER NOT NULL,
        last_message TEXT,
        -- In a group: an unread message mentions the user.
        mentioned INTEGER NOT NULL DEFAULT 0
      );
    `);
    const columns = this.sql.exec<{ name: string }>("PRAGMA table_info(activity)").toArray();
    if (!columns.some((column) => column.name === "mentioned")) {
      this.sql.exec("ALTER TABLE activity ADD COLUMN mentioned INTEGER NOT NULL DEFAULT 0");
    }
  }

  private activityOf(conversationId: string): ConversationActivity | undefined {
    return this.sql
      .exec<ActivityRow>("SELECT * FROM activity WHERE conversation_id = ?", conversationId)
      .toArray()
      .map(toActivity)[0];
  }

  private async greet(ws: WebSocket, userId: string, cameOnline: boolean): Promise<void> {
    try {
      await this.sendPresenceSnapshot(ws, userId);
      if (cameOnline) await this.publishPresence();
    } catch (error) {
      logFailure(error);
    }
  }

  private closeEach(sockets: WebSocket[], code: number, reason: string): WebSocket[] {
    for (const ws of sockets) this.sockets.close(ws, code, reason);
    return sockets;
  }

  /** The user goes offline when their last socket leaves. */
  private async leave(ws: WebSocket): Promise<void> {
    if (this.ended || this.sockets.open().some((open) => open !== ws)) return;
    await this.publishPresence(ws);
  }

  /**
   * Records whether the user is online now and tells their connections' hubs. The state is
   * read when publishing, so two overlapping changes both end on the truth.
   */
  private async publishPresence(leaving?: WebSocket, notifyPeers = true): Promise<void> {
    const userId = this.userId();
    if (this.ended || !userId) return;
    const online = this.sockets.open().some((ws) => ws !== leaving);
    const now = Date.now();
    await recordPresence(cacheFor(this.env), userId, online, now).catch(logFailure);
    if (!notifyPeers && online) return;
    const connections = await this.contacts(userId);
    if (!connections.ok) return log("warn", "presence_not_published", { reason: connections.reason });
    const lastSeenAt = online ? null : new Date(now).toISOString();
    await Promise.all(
      connections.value.map((peer) =>
        hubFor(this.env, peer.userId).peerPresence(userId, online, lastSeenAt).catch(logFailure),
      ),
    );
  }

  /** A new socket learns who of the user's connections is online now. */
  private async sendPresenceSnapshot(ws: WebSocket, userId: string): Promise<void> {
    const connections = await this.contacts(userId);
    if (!connections.ok) return log("warn", "presence_snapshot_skipped", { reason: connections.reason });
    const peers = connections.value.map((peer) => peer.userId);
    const presence = await readPresence(cacheFor(this.env), peers);
    for (const peerId of peers) {
      const { online, lastSeenAt } = presence.get(peerId) ?? { online: false, lastSeenAt: null };
      this.sockets.send(ws, { type: "presence", userId: peerId, online, lastSeenAt } satisfies HubMessage);
    }
  }

  /** Accepted contacts only: presence is not shared while a request is pending. */
  private async contacts(userId: string) {
    const listed = await storeFor(this.env).listConnections(userId);
    return listed.ok
      ? { ok: true as const, value: listed.value.filter((record) => record.status === "accepted") }
      : listed;
  }

  private userId(): string | null {
    if (this.ended) return null;
    return this.sql.exec<{ value: string }>("SELECT value FROM meta WHERE key = 'user_id'").toArray()[0]?.value ?? null;
  }
}

function toActivity(row: ActivityRow): ConversationActivity {
  return {
    conversationId: row.conversation_id,
    unread: row.unread,
    lastMessage: row.last_message ? (JSON.parse(row.last_message) as Message) : null,
    mentioned: row.mentioned === 1,
  };
}

type GroupRemovalReason = (typeof GROUP_REMOVAL_REASONS)[number];

function logFailure(error: unknown): void {
  log("error", "hub_side_effect_failed", {}, error);
}

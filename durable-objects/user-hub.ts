import { DurableObject } from "cloudflare:workers";
import type { Connection, Message } from "../protocol/api";
import { CLOSE_ACCOUNT_ENDED, HEARTBEAT_TIMEOUT_MS, type HubMessage } from "../protocol/wire";
import { cacheFor, storeFor } from "../server/ports";
import { readPresence, recordPresence } from "../server/presence";
import { hubFor } from "./addresses";
import { readIdentity } from "./identity";
import { HibernatingSockets } from "./sockets";

export interface ConversationActivity {
  conversationId: string;
  lastMessage: Message | null;
  unread: number;
}

/**
 * One user: their notification sockets across tabs and devices. Online while any socket is
 * open; tells the hubs of the user's connections when that changes; keeps unread counts and
 * last-message previews per conversation, pushed by the rooms.
 */
export class UserHub extends DurableObject<Env> {
  private readonly sql: SqlStorage;
  private readonly sockets: HibernatingSockets;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.sockets = new HibernatingSockets(ctx);
    this.sql.exec(`
      CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS activity (
        conversation_id TEXT PRIMARY KEY,
        unread INTEGER NOT NULL,
        last_message TEXT
      );
    `);
  }

  override async fetch(request: Request): Promise<Response> {
    const refusal = HibernatingSockets.refuseNonUpgrade(request);
    if (refusal) return refusal;
    const identity = readIdentity(request);
    if (!identity)
      return Response.json({ error: { code: "bad_request", message: "Missing identity." } }, { status: 400 });
    this.sql.exec("INSERT OR REPLACE INTO meta (key, value) VALUES ('user_id', ?)", identity.userId);
    const cameOnline = this.sockets.open().length === 0;
    const { client, server } = this.sockets.accept(identity.userId, Date.now());
    await this.sendPresenceSnapshot(server, identity.userId);
    if (cameOnline) await this.publishPresence();
    await this.sockets.scheduleSweep();
    return new Response(null, { status: 101, webSocket: client });
  }

  override webSocketMessage(ws: WebSocket): void {
    // The hub takes no frames besides heartbeats, which the platform answers.
    this.sockets.send(ws, {
      type: "error",
      code: "unexpected_frame",
      message: "This socket only sends.",
    } satisfies HubMessage);
  }

  override async webSocketClose(ws: WebSocket, code: number): Promise<void> {
    this.sockets.close(ws, code === 1005 ? 1000 : code, "closing");
    await this.leave(ws);
  }

  override async webSocketError(ws: WebSocket): Promise<void> {
    await this.leave(ws);
  }

  /** The user goes offline when their last socket leaves. */
  private async leave(ws: WebSocket): Promise<void> {
    if (this.sockets.open().some((open) => open !== ws)) return;
    await this.publishPresence(ws);
  }

  /** Drops sockets whose heartbeats stopped, and refreshes the presence snapshot. */
  override async alarm(): Promise<void> {
    const stale = this.sockets.stale(Date.now(), HEARTBEAT_TIMEOUT_MS);
    for (const ws of stale) this.sockets.close(ws, 1001, "heartbeat timeout");
    const userId = this.userId();
    if (userId && (stale.length > 0 || this.sockets.open().length > 0)) {
      await this.publishPresence(undefined, stale.length > 0);
    }
    await this.sockets.scheduleSweep();
  }

  /** A room stored a message in one of the user's conversations. */
  async conversationActivity(activity: ConversationActivity): Promise<void> {
    this.sql.exec(
      "INSERT OR REPLACE INTO activity (conversation_id, unread, last_message) VALUES (?, ?, ?)",
      activity.conversationId,
      activity.unread,
      activity.lastMessage ? JSON.stringify(activity.lastMessage) : null,
    );
    this.sockets.broadcast({ type: "unread", ...activity } satisfies HubMessage);
  }

  /** The user read in a room: only the count changes. */
  async unreadChanged(conversationId: string, unread: number): Promise<void> {
    const current = this.activity(conversationId);
    await this.conversationActivity({ conversationId, unread, lastMessage: current?.lastMessage ?? null });
  }

  /** Unread counts and previews of every conversation with activity. */
  async summaries(): Promise<ConversationActivity[]> {
    return this.sql
      .exec<{ conversation_id: string; unread: number; last_message: string | null }>("SELECT * FROM activity")
      .toArray()
      .map(toActivity);
  }

  async peerPresence(userId: string, online: boolean): Promise<void> {
    this.sockets.broadcast({ type: "presence", userId, online } satisfies HubMessage);
  }

  async connectionAdded(connection: Connection): Promise<void> {
    this.sockets.broadcast({ type: "connection", connection } satisfies HubMessage);
  }

  async connectionRemoved(userId: string, conversationId: string): Promise<void> {
    this.sql.exec("DELETE FROM activity WHERE conversation_id = ?", conversationId);
    this.sockets.broadcast({ type: "connection-removed", userId, conversationId } satisfies HubMessage);
  }

  /** The account is gone: tell every tab, close the sockets, forget everything. Safe to repeat. */
  async endAccount(reason: "expired" | "deleted"): Promise<void> {
    this.sockets.broadcast({ type: "account-ended", reason } satisfies HubMessage);
    this.sockets.closeAll(CLOSE_ACCOUNT_ENDED, `account ${reason}`);
    const userId = this.userId();
    if (userId) await recordPresence(cacheFor(this.env), userId, false).catch(logFailure);
    await this.ctx.storage.deleteAlarm();
    await this.ctx.storage.deleteAll();
  }

  /**
   * Records whether the user is online now and tells their connections' hubs. The state is
   * read when publishing, so two overlapping changes both end on the truth.
   */
  private async publishPresence(leaving?: WebSocket, notifyPeers = true): Promise<void> {
    const userId = this.userId();
    if (!userId) return;
    const online = this.sockets.open().some((ws) => ws !== leaving);
    await recordPresence(cacheFor(this.env), userId, online).catch(logFailure);
    if (!notifyPeers && online) return;
    const connections = await storeFor(this.env).listConnections(userId);
    await Promise.all(
      connections.map((peer) => hubFor(this.env, peer.userId).peerPresence(userId, online).catch(logFailure)),
    );
  }

  /** A new socket learns who of the user's connections is online now. */
  private async sendPresenceSnapshot(ws: WebSocket, userId: string): Promise<void> {
    const connections = await storeFor(this.env).listConnections(userId);
    const online = await readPresence(
      cacheFor(this.env),
      connections.map((peer) => peer.userId),
    );
    for (const peer of connections) {
      this.sockets.send(ws, {
        type: "presence",
        userId: peer.userId,
        online: online.get(peer.userId) ?? false,
      } satisfies HubMessage);
    }
  }

  private activity(conversationId: string): ConversationActivity | null {
    const row = this.sql
      .exec<{ conversation_id: string; unread: number; last_message: string | null }>(
        "SELECT * FROM activity WHERE conversation_id = ?",
        conversationId,
      )
      .toArray()[0];
    return row ? toActivity(row) : null;
  }

  private userId(): string | null {
    return this.sql.exec<{ value: string }>("SELECT value FROM meta WHERE key = 'user_id'").toArray()[0]?.value ?? null;
  }
}

function toActivity(row: {
  conversation_id: string;
  unread: number;
  last_message: string | null;
}): ConversationActivity {
  return {
    conversationId: row.conversation_id,
    unread: row.unread,
    lastMessage: row.last_message ? (JSON.parse(row.last_message) as Message) : null,
  };
}

function logFailure(error: unknown): void {
  console.error("hub side effect failed", error);
}

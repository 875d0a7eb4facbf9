import {
  type AddConnectionResult,
  BLOCKS_MAX,
  CONNECTIONS_MAX,
  type ConnectionRecord,
  type ContactStore,
  type InviteRecord,
  type Result,
  type UserRef,
} from "../../ports/store";
import { ok, type RefRow, SqliteArea } from "./shared";

type ConnectionRow = { conversation_id: string; created_at: number; status: string; requested_by: string };
type InviteRow = { token_hash: string; inviter_id: string; expires_at: number };

/**
 * Connections (one row per pair, `user_low` < `user_high`, each with its conversation), blocks
 * and invites.
 */
export class SqliteContacts extends SqliteArea implements ContactStore {
  async addConnection(
    userId: string,
    otherId: string,
    conversationId: string,
    now: number,
    options: { accepted?: boolean } = {},
  ): Promise<Result<AddConnectionResult, "unknown_user" | "blocked">> {
    const [low, high] = [userId, otherId].sort() as [string, string];
    return this.storage.transactionSync(() => {
      const other = this.sql
        .exec<{ username: string }>("SELECT username FROM users WHERE id = ?", otherId)
        .toArray()[0];
      if (!other) return { ok: false, reason: "unknown_user" } as const;
      if (blockedEitherWay(this.sql, userId).has(otherId)) return { ok: false, reason: "blocked" } as const;
      const existing = connectionRow(this.sql, low, high);
      if (!existing) {
        const status = options.accepted ? "accepted" : "pending";
        this.sql.exec(
          "INSERT INTO connections (user_low, user_high, conversation_id, created_at, status, requested_by) VALUES (?, ?, ?, ?, ?, ?)",
          low,
          high,
          conversationId,
          now,
          status,
          userId,
        );
        this.sql.exec(
          `INSERT INTO conversations (id, created_at, closed, pending_from) VALUES (?, ?, 0, ?)
           ON CONFLICT (id) DO UPDATE SET closed = 0, pending_from = excluded.pending_from`,
          conversationId,
          now,
          status === "pending" ? userId : null,
        );
        for (const member of [low, high]) {
          this.sql.exec(
            "INSERT OR IGNORE INTO conversation_members (conversation_id, user_id) VALUES (?, ?)",
            conversationId,
            member,
          );
        }
      } else if (existing.status === "pending" && (existing.requested_by === otherId || options.accepted)) {
        // They had asked already, or this is an invite: the request is answered.
        accept(this.sql, low, high, existing.conversation_id);
      }
      const row = connectionRow(this.sql, low, high)!;
      return ok({ created: !existing, connection: toConnection(otherId, other.username, row) });
    });
  }

  async acceptConnection(userId: string, otherId: string): Promise<Result<ConnectionRecord, "not_found">> {
    const [low, high] = [userId, otherId].sort() as [string, string];
    return this.storage.transactionSync(() => {
      const existing = connectionRow(this.sql, low, high);
      const other = this.sql
        .exec<{ username: string }>("SELECT username FROM users WHERE id = ?", otherId)
        .toArray()[0];
      if (!existing || !other || existing.requested_by !== otherId) return { ok: false, reason: "not_found" } as const;
      if (existing.status === "pending") accept(this.sql, low, high, existing.conversation_id);
      return ok(toConnection(otherId, other.username, connectionRow(this.sql, low, high)!));
    });
  }

  async removeConnection(userId: string, otherId: string): Promise<Result<boolean>> {
    const [low, high] = [userId, otherId].sort();
    return this.storage.transactionSync(() => {
      const removed = this.sql
        .exec<{ conversation_id: string }>(
          "DELETE FROM connections WHERE user_low = ? AND user_high = ? RETURNING conversation_id",
          low,
          high,
        )
        .toArray();
      for (const row of removed) this.sql.exec("UPDATE conversations SET closed = 1 WHERE id = ?", row.conversation_id);
      return ok(removed.length > 0);
    });
  }

  async block(userId: string, otherId: string, now: number): Promise<Result<{ closedConversationId: string | null }>> {
    const [low, high] = [userId, otherId].sort() as [string, string];
    return this.storage.transactionSync(() => {
      this.sql.exec(
        "INSERT OR IGNORE INTO blocks (blocker, blocked, created_at) VALUES (?, ?, ?)",
        userId,
        otherId,
        now,
      );
      const removed = this.sql
        .exec<{ conversation_id: string }>(
          "DELETE FROM connections WHERE user_low = ? AND user_high = ? RETURNING conversation_id",
          low,
          high,
        )
        .toArray()[0];
      if (removed) this.sql.exec("UPDATE conversations SET closed = 1 WHERE id = ?", removed.conversation_id);
      return ok({ closedConversationId: removed?.conversation_id ?? null });
    });
  }

  async unblock(userId: string, otherId: string): Promise<Result<null>> {
    this.sql.exec("DELETE FROM blocks WHERE blocker = ? AND blocked = ?", userId, otherId);
    return ok(null);
  }

  async listBlocked(userId: string): Promise<Result<UserRef[]>> {
    const rows = this.sql
      .exec<RefRow>(
        `SELECT u.id, u.username FROM blocks b JOIN users u ON u.id = b.blocked
         WHERE b.blocker = ? ORDER BY b.created_at DESC LIMIT ?`,
        userId,
        BLOCKS_MAX,
      )
      .toArray();
    return ok(rows.map((row) => ({ id: row.id, username: row.username })));
  }

  async createInvite(invite: InviteRecord): Promise<Result<null>> {
    this.sql.exec(
      "INSERT OR REPLACE INTO invites (token_hash, inviter_id, expires_at) VALUES (?, ?, ?)",
      invite.tokenHash,
      invite.inviterId,
      invite.expiresAt,
    );
    return ok(null);
  }

  async findInvite(tokenHash: string, now: number): Promise<Result<InviteRecord | null>> {
    const row = this.sql
      .exec<InviteRow>("SELECT * FROM invites WHERE token_hash = ? AND expires_at > ?", tokenHash, now)
      .toArray()[0];
    return ok(row ? toInvite(row) : null);
  }

  async takeInvite(tokenHash: string, now: number): Promise<Result<InviteRecord | null>> {
    const row = this.sql
      .exec<InviteRow>("DELETE FROM invites WHERE token_hash = ? RETURNING *", tokenHash)
      .toArray()[0];
    return ok(row && row.expires_at > now ? toInvite(row) : null);
  }

  async listConnections(userId: string): Promise<Result<ConnectionRecord[]>> {
    const rows = this.sql
      .exec<{ user_id: string; username: string } & ConnectionRow>(
        `SELECT u.id AS user_id, u.username, c.conversation_id, c.created_at, c.status, c.requested_by FROM connections c
         JOIN users u ON u.id = CASE WHEN c.user_low = ? THEN c.user_high ELSE c.user_low END
         WHERE c.user_low = ? OR c.user_high = ? ORDER BY c.created_at DESC LIMIT ?`,
        userId,
        userId,
        userId,
        CONNECTIONS_MAX,
      )
      .toArray();
    return ok(rows.map((row) => toConnection(row.user_id, row.username, row)));
  }
}

/** Everyone `userId` blocked or was blocked by: hidden from their search too (accounts.ts). */
export function blockedEitherWay(sql: SqlStorage, userId: string): Set<string> {
  const rows = sql
    .exec<{ other: string }>(
      `SELECT blocked AS other FROM blocks WHERE blocker = ?1
       UNION SELECT blocker AS other FROM blocks WHERE blocked = ?1 LIMIT ?2`,
      userId,
      2 * BLOCKS_MAX,
    )
    .toArray();
  return new Set(rows.map((row) => row.other));
}

function connectionRow(sql: SqlStorage, low: string, high: string): ConnectionRow | undefined {
  return sql
    .exec<ConnectionRow>(
      "SELECT conversation_id, created_at, status, requested_by FROM connections WHERE user_low = ? AND user_high = ?",
      low,
      high,
    )
    .toArray()[0];
}

function accept(sql: SqlStorage, low: string, high: string, conversationId: string): void {
  sql.exec("UPDATE connections SET status = 'accepted' WHERE user_low = ? AND user_high = ?", low, high);
  sql.exec("UPDATE conversations SET pending_from = NULL WHERE id = ?", conversationId);
}

function toConnection(otherId: string, username: string, row: ConnectionRow): ConnectionRecord {
  return {
    userId: otherId,
    username,
    conversationId: row.conversation_id,
    createdAt: row.created_at,
    status: row.status === "pending" ? "pending" : "accepted",
    requestedBy: row.requested_by,
  };
}

function toInvite(row: InviteRow): InviteRecord {
  return { tokenHash: row.token_hash, inviterId: row.inviter_id, expiresAt: row.expires_at };
}

import { hubFor, roomFor } from "../durable-objects/addresses";
import { log } from "../server/log";
import type { Store } from "../server/ports/store";
import type { SessionClaims } from "./auth/session-token";

/**
 * A logged-out session's sockets close at once: its hub's, in every tab, and its rooms' (every
 * conversation the user is in). A room that cannot be reached is logged; its socket still
 * refuses nothing by itself, so the failure is worth seeing.
 */
export async function closeSessionSockets(env: Env, store: Store, session: SessionClaims): Promise<void> {
  const { userId, sessionId } = session;
  const [connections, groups] = await Promise.all([store.listConnections(userId), store.listGroups(userId)]);
  const conversationIds = [
    ...(connections.ok ? connections.value.map((connection) => connection.conversationId) : []),
    ...(groups.ok ? groups.value.map((group) => group.id) : []),
  ];
  if (!connections.ok || !groups.ok) log("warn", "logout_rooms_unknown", {});
  const results = await Promise.allSettled([
    hubFor(env, userId).endSession(sessionId),
    ...conversationIds.map((id) => roomFor(env, id).endSession(userId, sessionId)),
  ]);
  const failures = results.filter((result) => result.status === "rejected");
  if (failures.length > 0) log("error", "logout_sockets_not_closed", { failures: failures.length });
}

// The baseline room: accept a hibernatable socket, and for each `send` frame insert one row,
// ack the sender and relay the message to every socket. Same frames as the project's room
// (protocol/wire.ts), so the same load generator drives both. No auth, no validation beyond JSON.
import { DurableObject } from "cloudflare:workers";

export class BareRoom extends DurableObject {
  constructor(ctx, env) {
    super(ctx, env);
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair("ping", "pong"));
    ctx.storage.sql.exec(
      "CREATE TABLE IF NOT EXISTS messages (seq INTEGER PRIMARY KEY, id TEXT NOT NULL, sender TEXT NOT NULL, body TEXT NOT NULL, sent_at INTEGER NOT NULL)",
    );
  }

  async fetch(request) {
    const user = new URL(request.url).searchParams.get("user") ?? "anon";
    const [client, server] = Object.values(new WebSocketPair());
    this.ctx.acceptWebSocket(server, [user]);
    server.serializeAttachment({ user });
    return new Response(null, { status: 101, webSocket: client });
  }

  webSocketMessage(ws, raw) {
    const frame = JSON.parse(raw);
    if (frame.type !== "send") return;
    const { user } = ws.deserializeAttachment();
    const sentAt = Date.now();
    const { seq } = this.ctx.storage.sql
      .exec(
        "INSERT INTO messages (id, sender, body, sent_at) VALUES (?, ?, ?, ?) RETURNING seq",
        frame.id,
        user,
        frame.body,
        sentAt,
      )
      .one();
    ws.send(JSON.stringify({ type: "ack", id: frame.id, seq }));
    const message = JSON.stringify({
      type: "message",
      message: {
        id: frame.id,
        seq,
        conversationId: "",
        senderId: user,
        body: frame.body,
        sentAt: new Date(sentAt).toISOString(),
      },
    });
    for (const peer of this.ctx.getWebSockets()) peer.send(message);
  }

  webSocketClose(ws, code) {
    ws.close(code === 1005 ? 1000 : code, "closing");
  }
}

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    if (url.pathname === "/health") return new Response("ok");
    const match = /^\/rooms\/([^/]+)\/ws$/.exec(url.pathname);
    if (!match || request.headers.get("Upgrade") !== "websocket") return new Response("not found", { status: 404 });
    return env.ROOMS.get(env.ROOMS.idFromName(match[1])).fetch(request);
  },
};

import { exports } from "cloudflare:workers";
import type { Connection, User } from "../../protocol/api";

export const ORIGIN = "https://chat.test";

export interface Session {
  user: User;
  cookie: string;
}

let ipCounter = 0;
/** A fresh client IP per caller, so sign-up rate limits do not couple unrelated tests. */
export function freshIp(): string {
  ipCounter += 1;
  return `203.0.113.${ipCounter % 250}-${crypto.randomUUID().slice(0, 8)}`;
}

export function uniqueName(prefix = "user"): string {
  return `${prefix}_${crypto.randomUUID().replace(/-/g, "").slice(0, 10)}`;
}

interface CallOptions {
  method?: string;
  body?: unknown;
  cookie?: string;
  origin?: string | null;
  headers?: Record<string, string>;
}

/** Calls the API as a browser on the app's origin would. */
export function api(path: string, options: CallOptions = {}): Promise<Response> {
  const headers = new Headers(options.headers);
  if (options.origin !== null) headers.set("Origin", options.origin ?? ORIGIN);
  if (options.cookie) headers.set("Cookie", options.cookie);
  if (options.body !== undefined) headers.set("Content-Type", "application/json");
  if (!headers.has("CF-Connecting-IP")) headers.set("CF-Connecting-IP", freshIp());
  return exports.default.fetch(`${ORIGIN}${path}`, {
    method: options.method ?? (options.body === undefined ? "GET" : "POST"),
    headers,
    body:
      options.body === undefined
        ? undefined
        : typeof options.body === "string"
          ? options.body
          : JSON.stringify(options.body),
  });
}

export function sessionCookie(response: Response): string {
  const setCookie = response.headers.get("Set-Cookie") ?? "";
  const match = /__Host-session=([^;]*)/.exec(setCookie);
  if (!match) throw new Error(`no session cookie in ${setCookie}`);
  return `__Host-session=${match[1]}`;
}

export async function signUp(
  username = uniqueName(),
  password = "correct horse battery",
  lifetimeHours?: number,
): Promise<Session> {
  const response = await api("/api/auth/signup", { body: { username, password, lifetimeHours } });
  if (response.status !== 201) throw new Error(`sign-up failed: ${response.status} ${await response.text()}`);
  const { user } = await response.json<{ user: User }>();
  return { user, cookie: sessionCookie(response) };
}

/** Another sign-in of the same user, as a second device makes: a session of its own. */
export async function login(session: Session, password = "correct horse battery"): Promise<Session> {
  const response = await api("/api/auth/login", { body: { username: session.user.username, password } });
  if (response.status !== 200) throw new Error(`login failed: ${response.status} ${await response.text()}`);
  return { user: session.user, cookie: sessionCookie(response) };
}

/** The user hub's socket path. */
export const HUB = "/api/me/ws";

/** Two new people who are contacts, and their conversation. */
export async function pair() {
  const ann = await signUp();
  const bob = await signUp();
  const conversationId = await connect(ann, bob);
  return { ann, bob, conversationId };
}

/** `a` asks `b` (a message request, still pending); returns their conversation id. */
export async function request(a: Session, b: Session): Promise<string> {
  const response = await api("/api/connections", { cookie: a.cookie, body: { userId: b.user.id } });
  if (response.status !== 201 && response.status !== 200)
    throw new Error(`request failed: ${response.status} ${await response.text()}`);
  const { connection } = await response.json<{ connection: Connection }>();
  return connection.conversationId;
}

/** Makes two users contacts: `a` asks, `b` accepts. Returns their conversation id. */
export async function connect(a: Session, b: Session): Promise<string> {
  const conversationId = await request(a, b);
  const response = await api(`/api/connections/${a.user.id}/accept`, { method: "POST", cookie: b.cookie });
  if (response.status !== 200) throw new Error(`accept failed: ${response.status} ${await response.text()}`);
  return conversationId;
}

export type Frame = { type: string; [key: string]: unknown };

/** A client socket with a queue of received frames and a waiting helper with a timeout. */
export class TestSocket {
  private readonly frames: Frame[] = [];
  private readonly waiters: (() => void)[] = [];
  closed: { code: number; reason: string } | null = null;

  constructor(readonly ws: WebSocket) {
    ws.addEventListener("message", (event) => {
      const data = typeof event.data === "string" ? event.data : "";
      this.frames.push(data === "pong" ? { type: "pong" } : (JSON.parse(data) as Frame));
      this.wake();
    });
    ws.addEventListener("close", (event) => {
      this.closed = { code: event.code, reason: event.reason };
      this.wake();
    });
  }

  send(frame: unknown): void {
    this.ws.send(typeof frame === "string" ? frame : JSON.stringify(frame));
  }

  /** The next frame matching `predicate`, removed from the queue. */
  async next(predicate: (frame: Frame) => boolean = () => true, timeoutMs = 2000): Promise<Frame> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const index = this.frames.findIndex(predicate);
      if (index >= 0) return this.frames.splice(index, 1)[0]!;
      const remaining = deadline - Date.now();
      if (remaining <= 0)
        throw new Error(`no matching frame within ${timeoutMs} ms; have ${JSON.stringify(this.frames)}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, remaining);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  nextOfType(type: string, timeoutMs?: number): Promise<Frame> {
    return this.next((frame) => frame.type === type, timeoutMs);
  }

  /** Frames received so far, without waiting. */
  pending(type?: string): Frame[] {
    return this.frames.filter((frame) => !type || frame.type === type);
  }

  async waitClosed(timeoutMs = 2000): Promise<{ code: number; reason: string }> {
    const deadline = Date.now() + timeoutMs;
    while (!this.closed) {
      if (Date.now() > deadline) throw new Error("socket did not close");
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 50);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return this.closed;
  }

  close(): void {
    try {
      this.ws.close(1000, "done");
    } catch {
      // already closed
    }
  }

  private wake(): void {
    for (const waiter of this.waiters.splice(0)) waiter();
  }
}

/** Opens a WebSocket through the Worker; returns the raw response when the upgrade is refused. */
export async function openSocket(path: string, cookie: string, origin: string | null = ORIGIN): Promise<TestSocket> {
  const response = await upgrade(path, cookie, origin);
  if (response.status !== 101 || !response.webSocket)
    throw new Error(`upgrade refused: ${response.status} ${await response.text()}`);
  response.webSocket.accept();
  return new TestSocket(response.webSocket);
}

export function upgrade(
  path: string,
  cookie: string,
  origin: string | null = ORIGIN,
  extraHeaders: Record<string, string> = {},
): Promise<Response> {
  const headers: Record<string, string> = { ...extraHeaders, Upgrade: "websocket", Cookie: cookie };
  if (origin) headers.Origin = origin;
  return exports.default.fetch(`${ORIGIN}${path}`, { headers });
}

export const roomPath = (conversationId: string) => `/api/conversations/${conversationId}/ws`;

/**
 * A stand-in for the browser's WebSocket and the few globals the socket layer reads, for unit
 * tests of the client under Node. The test plays the server: it opens, sends frames, closes.
 */
import { vi } from "vitest";

type Listener = ((event: never) => void) | null;

export class FakeWebSocket {
  static readonly CONNECTING = 0;
  static readonly OPEN = 1;
  static readonly CLOSING = 2;
  static readonly CLOSED = 3;
  /** Every socket created since `installFakeBrowser`, oldest first. */
  static created: FakeWebSocket[] = [];

  readyState = FakeWebSocket.CONNECTING;
  /** Set when the client closed it. */
  closedByClient = false;
  readonly sent: string[] = [];
  onopen: Listener = null;
  onmessage: Listener = null;
  onclose: Listener = null;

  constructor(readonly url: string) {
    FakeWebSocket.created.push(this);
  }

  send(data: string): void {
    if (this.readyState !== FakeWebSocket.OPEN) throw new Error("send on a socket that is not open");
    this.sent.push(data);
  }

  close(): void {
    this.closedByClient = true;
    this.readyState = FakeWebSocket.CLOSED;
  }

  /** The server accepts the socket and the room says hello. */
  accept(hello: object = {}): void {
    this.readyState = FakeWebSocket.OPEN;
    (this.onopen as ((event: object) => void) | null)?.({});
    this.receive({
      type: "hello",
      protocol: 1,
      conversationId: "c1",
      me: "ann",
      members: [],
      lastSeq: 0,
      readUpTo: {},
      ...hello,
    });
  }

  receive(frame: object): void {
    (this.onmessage as ((event: { data: string }) => void) | null)?.({ data: JSON.stringify(frame) });
  }

  /** The server (or the network) ends the socket. */
  serverClose(code: number, reason = ""): void {
    this.readyState = FakeWebSocket.CLOSED;
    (this.onclose as ((event: { code: number; reason: string }) => void) | null)?.({ code, reason });
  }

  /** The JSON frames the client sent, heartbeats left out. */
  frames(): { type: string; [key: string]: unknown }[] {
    return this.sent.filter((data) => data !== "ping").map((data) => JSON.parse(data));
  }

  /** The ids of the messages the client sent, in order. */
  sentIds(): string[] {
    return this.frames()
      .filter((frame) => frame.type === "send")
      .map((frame) => String(frame.id));
  }

  get open(): boolean {
    return this.readyState === FakeWebSocket.OPEN;
  }
}

/** Installs the fake WebSocket and an online, visible page at http://chat.test/. */
export function installFakeBrowser(): void {
  FakeWebSocket.created = [];
  vi.stubGlobal("WebSocket", FakeWebSocket);
  vi.stubGlobal("location", { protocol: "http:", host: "chat.test", pathname: "/" });
  vi.stubGlobal("navigator", { onLine: true });
  vi.stubGlobal("addEventListener", () => {});
  vi.stubGlobal("removeEventListener", () => {});
  vi.stubGlobal("document", { visibilityState: "visible", addEventListener() {}, removeEventListener() {} });
}

/** The sockets opened to one path, oldest first. */
export function socketsTo(path: string): FakeWebSocket[] {
  return FakeWebSocket.created.filter((socket) => new URL(socket.url).pathname === path);
}

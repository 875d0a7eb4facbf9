/**
 * A WebSocket client over a plain TCP socket (RFC 6455), for what a WebSocket API hides until the
 * connection ends: the server's Close frame and its code, and whether the server then ends TCP.
 * It answers a Close with a Close, as every client does.
 */
import { randomBytes } from "node:crypto";
import { connect, type Socket } from "node:net";

export interface RawSocket {
  /** The server's Close frame, as soon as it arrives. */
  closeFrame: Promise<{ code: number; reason: string }>;
  /** Resolves when the server has ended the TCP connection. */
  ended: Promise<void>;
  destroy(): void;
}

const OPCODE_CLOSE = 0x8;

/** Opens `url` (ws://host:port/path) with `headers`; resolves once the server answered 101. */
export function openRaw(url: string, headers: Record<string, string>): Promise<RawSocket> {
  const { hostname, port, pathname, search } = new URL(url);
  const socket = connect(Number(port), hostname);
  let onCloseFrame!: (frame: { code: number; reason: string }) => void;
  const closeFrame = new Promise<{ code: number; reason: string }>((resolve) => {
    onCloseFrame = resolve;
  });
  const ended = new Promise<void>((resolve) => socket.once("close", () => resolve()));
  const raw: RawSocket = { closeFrame, ended, destroy: () => socket.destroy() };

  return new Promise((resolve, reject) => {
    let buffer: Buffer = Buffer.alloc(0);
    let upgraded = false;
    socket.once("error", reject);
    socket.once("connect", () => {
      const lines = [
        `GET ${pathname}${search} HTTP/1.1`,
        `Host: ${hostname}:${port}`,
        "Upgrade: websocket",
        "Connection: Upgrade",
        `Sec-WebSocket-Key: ${randomBytes(16).toString("base64")}`,
        "Sec-WebSocket-Version: 13",
        ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`),
      ];
      socket.write(`${lines.join("\r\n")}\r\n\r\n`);
    });
    socket.on("data", (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      if (!upgraded) {
        const end = buffer.indexOf("\r\n\r\n");
        if (end < 0) return;
        const status = buffer.subarray(0, buffer.indexOf("\r\n")).toString();
        if (!status.includes(" 101 ")) {
          socket.destroy();
          return reject(new Error(`${pathname}: ${status}`));
        }
        upgraded = true;
        buffer = buffer.subarray(end + 4);
        resolve(raw);
      }
      buffer = readFrames(buffer, socket, onCloseFrame);
    });
  });
}

/** Handles every whole frame in `buffer` and returns what is left of it. */
function readFrames(buffer: Buffer, socket: Socket, onCloseFrame: (frame: { code: number; reason: string }) => void) {
  while (buffer.length >= 2) {
    const opcode = buffer[0]! & 0x0f;
    const masked = (buffer[1]! & 0x80) !== 0;
    let length = buffer[1]! & 0x7f;
    let offset = 2;
    if (length === 126) {
      if (buffer.length < 4) break;
      length = buffer.readUInt16BE(2);
      offset = 4;
    } else if (length === 127) {
      if (buffer.length < 10) break;
      length = Number(buffer.readBigUInt64BE(2));
      offset = 10;
    }
    if (masked) offset += 4;
    if (buffer.length < offset + length) break;
    const payload = Buffer.from(buffer.subarray(offset, offset + length));
    if (masked) for (let i = 0; i < payload.length; i++) payload[i]! ^= buffer[offset - 4 + (i % 4)]!;
    buffer = buffer.subarray(offset + length);
    if (opcode === OPCODE_CLOSE) {
      const code = payload.length >= 2 ? payload.readUInt16BE(0) : 1005;
      onCloseFrame({ code, reason: payload.subarray(2).toString() });
      if (!socket.destroyed) socket.write(maskedClose(payload.subarray(0, 2)));
    }
  }
  return buffer;
}

/** A client's Close frame echoing the server's code, if it sent one (clients mask every frame). */
function maskedClose(code: Buffer): Buffer {
  const mask = randomBytes(4);
  const payload = code.map((byte, i) => byte ^ mask[i % 4]!);
  return Buffer.concat([Buffer.from([0x80 | OPCODE_CLOSE, 0x80 | payload.length]), mask, payload]);
}

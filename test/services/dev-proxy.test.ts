import { once } from "node:events";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer as createHttpServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { connect, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createLogger, createServer, type ProxyOptions, type ViteDevServer } from "vite";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { quietProxy } from "../../scripts/dev-proxy.mjs";

// Vite's dev proxy in front of a stand-in Worker: what `npm run dev` prints for ordinary events.

let worker: Server;
let workerPort: number;
let root: string;
const servers: ViteDevServer[] = [];

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), "edge-chat-proxy-"));
  // Answers HTTP, and accepts upgrades the way a Durable Object does: 101, then the socket stays open.
  worker = createHttpServer((_req, res) => res.end("ok"));
  worker.on("upgrade", (_req, socket: Socket) => {
    socket.on("error", () => {});
    socket.write("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n");
  });
  worker.listen(0, "127.0.0.1");
  await once(worker, "listening");
  workerPort = (worker.address() as AddressInfo).port;
});

afterEach(async () => {
  for (const server of servers.splice(0)) await server.close();
});

afterAll(async () => {
  worker.closeAllConnections();
  worker.close();
  rmSync(root, { recursive: true, force: true });
});

/** A Vite dev server proxying /api to `target`, and every error line its logger printed. */
async function viteProxy(target: string, configure?: ProxyOptions["configure"]) {
  const errors: string[] = [];
  const logger = createLogger("silent");
  logger.error = (message) => {
    errors.push(message);
  };
  const server = await createServer({
    configFile: false,
    root,
    logLevel: "silent",
    customLogger: logger,
    server: { port: 0, host: "127.0.0.1", proxy: { "/api": { target, ws: true, configure } }, hmr: false },
  });
  servers.push(server);
  await server.listen();
  const address = server.httpServer?.address() as AddressInfo | null | undefined;
  if (!address) throw new Error("Vite's dev server is not listening");
  const { port } = address;
  return { port, errors };
}

/** Opens a socket through the proxy, waits for the 101, then drops it as a closed tab can: a reset. */
async function openAndReset(port: number) {
  const socket = connect(port, "127.0.0.1");
  socket.on("error", () => {});
  await once(socket, "connect");
  socket.write(
    `GET /api/me/ws HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
      "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n",
  );
  const [head] = await once(socket, "data");
  expect(String(head)).toMatch(/^HTTP\/1.1 101/);
  socket.resetAndDestroy();
  await new Promise((done) => setTimeout(done, 300));
}

async function closedPort() {
  const probe = createHttpServer();
  probe.listen(0, "127.0.0.1");
  await once(probe, "listening");
  const { port } = probe.address() as AddressInfo;
  probe.close();
  await once(probe, "close");
  return port;
}

describe("the dev proxy", () => {
  it("logs nothing when a tab's socket is reset", async () => {
    const { port, errors } = await viteProxy(`http://127.0.0.1:${workerPort}`, quietProxy);
    await openAndReset(port);
    await openAndReset(port);
    expect(errors).toEqual([]);
  });

  it("answers 502 without a log while the Worker is not listening yet", async () => {
    const { port, errors } = await viteProxy(`http://127.0.0.1:${await closedPort()}`, quietProxy);
    const response = await fetch(`http://127.0.0.1:${port}/api/health`);
    expect(response.status).toBe(502);
    expect(await response.text()).toMatch(/not answering/);
    expect(errors).toEqual([]);
  });

  it("still forwards requests", async () => {
    const { port } = await viteProxy(`http://127.0.0.1:${workerPort}`, quietProxy);
    expect(await (await fetch(`http://127.0.0.1:${port}/api/anything`)).text()).toBe("ok");
  });

  // What the quiet handling replaces: Vite alone prints these with their stacks.
  it("is needed: Vite alone logs both", async () => {
    const reset = await viteProxy(`http://127.0.0.1:${workerPort}`);
    await openAndReset(reset.port);
    expect(reset.errors.join("\n")).toMatch(/ws proxy (socket )?error/);
    const refused = await viteProxy(`http://127.0.0.1:${await closedPort()}`);
    await fetch(`http://127.0.0.1:${refused.port}/api/health`);
    expect(refused.errors.join("\n")).toMatch(/ECONNREFUSED/);
  });
});

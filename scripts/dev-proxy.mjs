// Quiet error handling for Vite's dev proxy in front of `wrangler dev` (vite.config.ts).
// Vite logs every proxy error with its stack, including the ordinary ones: a closed tab resets its
// socket (ECONNRESET), and the Worker refuses connections while it starts or reloads (ECONNREFUSED).
// Those are answered quietly here; any other error still reaches Vite's own handler and log.

/** Error codes that are part of ordinary use, not faults. */
const ORDINARY = new Set(["ECONNRESET", "ECONNREFUSED", "EPIPE", "ECONNABORTED"]);

/** @param {unknown} error */
export function isOrdinaryProxyError(error) {
  const code = /** @type {{ code?: string, cause?: { code?: string } } | null} */ (error)?.code;
  const causeCode = /** @type {{ cause?: { code?: string } } | null} */ (error)?.cause?.code;
  return ORDINARY.has(code ?? causeCode ?? "");
}

/**
 * For a proxy entry's `configure`: Vite adds its logging listeners after `configure` runs, so the
 * filter sits in front of them, in `emit`, rather than beside them.
 * @param {import("node:events").EventEmitter} proxy
 */
export function quietProxy(proxy) {
  const emit = proxy.emit.bind(proxy);
  proxy.emit = (event, ...args) => {
    if (event === "error" && isOrdinaryProxyError(args[0])) {
      answerQuietly(args[2]);
      return true;
    }
    if (event === "proxyReqWs")
      return quietSocketErrors(/** @type {import("node:net").Socket} */ (args[2]), () => emit(event, ...args));
    return emit(event, ...args);
  };
  return proxy;
}

/**
 * Vite's `proxyReqWs` listener logs every error of the browser's socket: wrap what it adds so that
 * the ordinary ones are dropped and the rest still reach it.
 * @param {import("node:net").Socket} socket
 * @param {() => boolean} emitEvent
 */
function quietSocketErrors(socket, emitEvent) {
  const before = new Set(socket.listeners("error"));
  const result = emitEvent();
  for (const listener of socket.listeners("error")) {
    if (before.has(listener)) continue;
    socket.off("error", /** @type {(...args: unknown[]) => void} */ (listener));
    socket.on("error", (error) => {
      if (!isOrdinaryProxyError(error)) listener.call(socket, error);
    });
  }
  return result;
}

/** An HTTP request gets a short 502 (what Vite would send, without the log); a socket is closed. */
function answerQuietly(res) {
  if (res && typeof res.writeHead === "function") {
    if (!res.headersSent && !res.writableEnded) {
      res.writeHead(502, { "Content-Type": "text/plain", "Retry-After": "1" });
      res.end("The Worker is not answering (starting or reloading): try again in a moment.\n");
    } else if (!res.writableEnded) res.destroy();
  } else if (res && typeof res.end === "function" && !res.destroyed) res.end();
}

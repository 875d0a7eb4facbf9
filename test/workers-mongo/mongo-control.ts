import { env } from "cloudflare:workers";
import { api } from "../workers/helpers";

/** The loopback server that stops and starts FerretDB (vitest.config.ts); empty with MONGODB_TEST_URI. */
export const mongoControl = (env as unknown as Record<string, string>).TEST_MONGO_CONTROL_URL ?? "";

export async function mongo(action: "stop" | "start"): Promise<void> {
  const response = await fetch(`${mongoControl}/${action}`, { method: "POST" });
  if (response.status !== 204) throw new Error(`could not ${action} FerretDB: ${await response.text()}`);
}

/** Polls `check` until it is true; the hosts' clients reconnect by themselves after an outage. */
export async function eventually(check: () => Promise<boolean>, timeoutMs = 20_000, what = "condition"): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`${what} not met within ${timeoutMs} ms`);
}

export const storeAnswers = async () => (await api("/api/health")).status === 200;

/** The app's HTTP API and sockets from Node, as people on a network address of the suite's own. */
import { expect, inject } from "vitest";
import type { User } from "../../protocol/api";

export const baseUrl = inject("baseUrl");
export const wsUrl = baseUrl.replace(/^http/, "ws");

export interface Person {
  user: User;
  cookie: string;
}

/**
 * An address from the benchmarking range 198.18.0.0/15 for one suite: the server is shared with
 * the other suites and limits sign-ups per address.
 */
export function suiteAddress(): string {
  return `198.18.${Math.floor(Math.random() * 256)}.${Math.floor(Math.random() * 256)}`;
}

/** A caller of the API from `ip`, with the Origin the app's CSRF check expects. */
export function apiFrom(ip: string) {
  async function call(
    path: string,
    init: { method?: string; body?: unknown; cookie?: string } = {},
  ): Promise<Response> {
    const headers: Record<string, string> = { Origin: baseUrl, "CF-Connecting-IP": ip };
    if (init.cookie) headers.Cookie = init.cookie;
    if (init.body !== undefined) headers["Content-Type"] = "application/json";
    return fetch(`${baseUrl}${path}`, {
      method: init.method ?? (init.body === undefined ? "GET" : "POST"),
      headers,
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
    });
  }

  async function signUp(prefix: string): Promise<Person> {
    const username = `${prefix}_${Math.random().toString(36).slice(2, 10)}`;
    const response = await call("/api/auth/signup", { body: { username, password: "password123" } });
    expect(response.status).toBe(201);
    const cookie = /(?:__Host-)?session=[^;]+/.exec(response.headers.get("set-cookie") ?? "")?.[0];
    if (!cookie) throw new Error("no session cookie");
    return { user: ((await response.json()) as { user: User }).user, cookie };
  }

  return { call, signUp };
}

/** Rejects with `what` unless `promise` settles within `ms`. */
export function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: nothing within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

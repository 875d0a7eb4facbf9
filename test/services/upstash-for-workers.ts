// Global setup of the workers project: a real redis-server behind the local Upstash REST server,
// whose URL and token reach workerd as the TEST_UPSTASH_* bindings (see vitest.config.ts).
import type { TestProject } from "vitest/node";
import { type RedisServer, startRedisServer } from "../../scripts/redis-server.mjs";
import { startUpstashServer, type UpstashServer } from "../../scripts/upstash-server.mjs";

declare module "vitest" {
  export interface ProvidedContext {
    upstashUrl: string;
    upstashToken: string;
  }
}

let redisServer: RedisServer | undefined;
let upstash: UpstashServer | undefined;

export async function setup(project: TestProject): Promise<void> {
  redisServer = await startRedisServer();
  upstash = await startUpstashServer({ redisUrl: redisServer.url, token: crypto.randomUUID() });
  project.provide("upstashUrl", upstash.url);
  project.provide("upstashToken", upstash.token);
}

export async function teardown(): Promise<void> {
  await upstash?.stop();
  await redisServer?.dispose();
}

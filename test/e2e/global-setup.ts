import type { TestProject } from "vitest/node";
import { type DevServer, startDevServer } from "../../scripts/dev-server.mjs";

declare module "vitest" {
  export interface ProvidedContext {
    baseUrl: string;
  }
}

let server: DevServer | undefined;

/** Builds the web app and starts one `wrangler dev` for every end-to-end test file. */
export async function setup(project: TestProject): Promise<void> {
  server = await startDevServer({ build: true });
  project.provide("baseUrl", server.url);
}

export async function teardown(): Promise<void> {
  await server?.stop();
}

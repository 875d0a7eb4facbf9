import type { TestProject } from "vitest/node";
import { type DevServer, leakyLogLines, startDevServer, uncaughtErrors } from "../../scripts/dev-server.mjs";

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

/** An uncaught error in the server's log is a bug even when every test passes: it fails the run. */
export async function teardown(): Promise<void> {
  const log = server?.log() ?? "";
  await server?.stop();
  const errors = uncaughtErrors(log);
  if (errors.length > 0) throw new Error(`uncaught errors in the wrangler dev log:\n${errors.join("\n")}`);
  const leaks = leakyLogLines(log);
  if (leaks.length > 0) throw new Error(`the wrangler dev log holds what it must not:\n${leaks.join("\n")}`);
}

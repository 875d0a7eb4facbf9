// Global setup of the workers-mongo project (vitest.config.ts): FerretDB 1.24 on a free loopback port (or the server
// in MONGODB_TEST_URI), a fresh database with the real migrations applied, and a small loopback
// control server that lets a test inside workerd stop and start FerretDB (an outage).
import { createServer, type Server } from "node:http";
import { MongoClient } from "mongodb";
import type { TestProject } from "vitest/node";
import { startFerretDb } from "../../scripts/ferretdb.mjs";
import { migrate } from "../../scripts/migrate.mjs";
import { freshDatabase, withDatabase } from "./mongo-uri";

declare module "vitest" {
  export interface ProvidedContext {
    mongoUri: string;
    /** Empty when the server cannot be stopped by the tests (MONGODB_TEST_URI). */
    mongoControlUrl: string;
  }
}

let ferretDb: Awaited<ReturnType<typeof startFerretDb>> | undefined;
let control: Server | undefined;

export async function setup(project: TestProject): Promise<void> {
  ferretDb = await startFerretDb();
  const uri = withDatabase(ferretDb.uri, freshDatabase("edge_chat_test"));
  const client = new MongoClient(uri, { serverSelectionTimeoutMS: 5_000 });
  try {
    await migrate(client.db());
  } finally {
    await client.close();
  }
  project.provide("mongoUri", uri);
  project.provide("mongoControlUrl", ferretDb.external ? "" : await startControl(ferretDb));
}

export async function teardown(): Promise<void> {
  await new Promise((done) => (control ? control.close(done) : done(undefined)));
  await ferretDb?.stop().catch(() => {});
}

/** POST /stop and POST /start: FerretDB goes away and comes back on the same port and data. */
function startControl(server: NonNullable<typeof ferretDb>): Promise<string> {
  control = createServer((request, response) => {
    const action = request.method === "POST" ? request.url : undefined;
    const run = action === "/stop" ? server.stop() : action === "/start" ? server.start() : undefined;
    if (!run) {
      response.writeHead(404).end();
      return;
    }
    run.then(
      () => response.writeHead(204).end(),
      (error: unknown) => response.writeHead(500).end(String(error)),
    );
  });
  return new Promise((resolve) => {
    control!.listen(0, "127.0.0.1", () => {
      const address = control!.address();
      resolve(`http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`);
    });
  });
}

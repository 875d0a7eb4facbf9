import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";
import { mongodbBundleForWorkerd } from "./scripts/mongodb-bundle.mjs";

// The driver bundled once for workerd: the plugin's loader cannot resolve its own require("bson").
const workerdAliases = { mongodb: mongodbBundleForWorkerd() };

export default defineConfig({
  test: {
    projects: [
      {
        plugins: [
          cloudflareTest(({ inject }) => ({
            wrangler: { configPath: "./wrangler.toml" },
            miniflare: {
              bindings: {
                // Tests get their own secret; dev gets one generated into .dev.vars.
                SESSION_SECRET: "test-secret-0123456789abcdef0123456789abcdef",
                // Read only by the Upstash adapter's tests; the app under test keeps the embedded cache
                // even when a developer's .dev.vars names an Upstash server.
                UPSTASH_REDIS_REST_URL: "",
                // The embedded Store here; the workers-mongo project runs the app on MongoDB.
                MONGODB_URI: "",
                TEST_UPSTASH_URL: inject<string>("upstashUrl"),
                TEST_UPSTASH_TOKEN: inject<string>("upstashToken"),
              },
            },
          })),
        ],
        resolve: { alias: workerdAliases },
        test: {
          name: "workers",
          // redis-server + the local Upstash REST server, for the Upstash adapter inside workerd.
          globalSetup: ["test/services/upstash-for-workers.ts"],
          include: [
            "worker/**/*.test.ts",
            "durable-objects/**/*.test.ts",
            "server/**/*.test.ts",
            "protocol/**/*.test.ts",
            "test/workers/**/*.test.ts",
          ],
        },
      },
      {
        // The app on MongoDB inside workerd: FerretDB (or MONGODB_TEST_URI) behind MONGODB_URI.
        plugins: [
          cloudflareTest(({ inject }) => ({
            wrangler: { configPath: "./wrangler.toml" },
            miniflare: {
              bindings: {
                SESSION_SECRET: "test-secret-0123456789abcdef0123456789abcdef",
                UPSTASH_REDIS_REST_URL: "",
                MONGODB_URI: inject<string>("mongoUri"),
                MONGODB_HOSTS: "2",
                TEST_MONGO_CONTROL_URL: inject<string>("mongoControlUrl"),
              },
            },
          })),
        ],
        resolve: { alias: workerdAliases },
        test: {
          name: "workers-mongo",
          globalSetup: ["test/services/ferretdb-for-workers.ts"],
          include: ["test/workers-mongo/**/*.test.ts"],
          // One file stops the server for a while: the others must not run meanwhile.
          fileParallelism: false,
          testTimeout: 30_000,
          hookTimeout: 180_000,
        },
      },
      {
        test: {
          name: "web",
          include: ["web/src/**/*.test.ts"],
          environment: "node",
        },
      },
      {
        // Real network services from Node (FerretDB, redis-server behind the local Upstash server).
        test: {
          name: "services",
          include: ["test/services/**/*.test.ts"],
          environment: "node",
          testTimeout: 60_000,
          hookTimeout: 180_000,
          fileParallelism: false,
        },
      },
      {
        test: {
          name: "e2e",
          include: ["test/e2e/**/*.test.ts"],
          environment: "node",
          globalSetup: ["test/e2e/global-setup.ts"],
          testTimeout: 60_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
    ],
  },
});

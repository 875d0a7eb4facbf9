import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { deploy, parseArgs, parseSecretNames } from "../../scripts/deploy.mjs";

// `npm run deploy` around a fake wrangler (a real process that records its calls and prints a
// secret list), a fetch that records every request, and migrations that record being applied.

const fakeWrangler = resolve(import.meta.dirname, "fake-wrangler.mjs");
const work = mkdtempSync(join(tmpdir(), "edge-chat-deploy-test-"));
const ALL_SECRETS = "SESSION_SECRET,MONGODB_URI,UPSTASH_REDIS_REST_URL,UPSTASH_REDIS_REST_TOKEN";
const DEPLOYED = "https://edge-chat.example.workers.dev";

afterAll(() => rmSync(work, { recursive: true, force: true }));

interface Run {
  code: number;
  output: string;
  wranglerCalls: string[][];
  requests: string[];
  applied: string[];
  built: boolean;
}

async function run(
  argv: string[],
  {
    secrets,
    env = {},
    health = { ok: true, store: "mongo", cache: "upstash" },
    status = 200,
  }: { secrets?: string; env?: Record<string, string>; health?: object; status?: number } = {},
): Promise<Run> {
  const calls = join(work, `${crypto.randomUUID()}.calls`);
  writeFileSync(calls, "");
  const lines: string[] = [];
  const requests: string[] = [];
  const applied: string[] = [];
  let built = false;
  const fakeEnv: Record<string, string> = { PATH: process.env.PATH ?? "", FAKE_WRANGLER_CALLS: calls, ...env };
  if (secrets !== undefined) fakeEnv.FAKE_WRANGLER_SECRETS = secrets;
  fakeEnv.FAKE_WRANGLER_URL = DEPLOYED;
  const code = await deploy(argv, {
    wrangler: [process.execPath, fakeWrangler],
    env: fakeEnv,
    log: (line: string) => lines.push(line),
    build: () => {
      built = true;
    },
    listMigrations: async () => ["001-indexes", "002-example"],
    applyMigrations: async (uri: string) => {
      applied.push(uri);
      return { applied: ["002-example"], skipped: ["001-indexes"] };
    },
    fetch: (async (url: string) => {
      requests.push(String(url));
      return new Response(JSON.stringify(health), { status });
    }) as typeof fetch,
    healthTimeoutMs: 0,
  });
  const wranglerCalls = readFileSync(calls, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line) as string[]);
  return { code, output: lines.join("\n"), wranglerCalls, requests, applied, built };
}

describe("npm run deploy -- --dry-run", () => {
  it("names a missing secret, lists the migrations and sends nothing", async () => {
    const result = await run(["--dry-run", "--mongo", "--upstash"], {
      secrets: "SESSION_SECRET,MONGODB_URI,UPSTASH_REDIS_REST_URL",
      env: { MONGODB_URI: "mongodb://127.0.0.1:1/never_contacted" },
    });
    expect(result.code).toBe(1);
    expect(result.output).toContain(
      "missing secret UPSTASH_REDIS_REST_TOKEN: npx wrangler secret put UPSTASH_REDIS_REST_TOKEN",
    );
    expect(result.output).not.toMatch(/missing secret (SESSION_SECRET|MONGODB_URI|UPSTASH_REDIS_REST_URL)\b/);
    expect(result.output).toContain("migrations in migrations/: 001-indexes, 002-example");
    // Nothing sent: a read of the secret names and a local bundle, no deploy, no migration, no request.
    expect(result.wranglerCalls.map((args) => args.slice(0, 4).join(" "))).toEqual([
      "secret list --format json",
      expect.stringMatching(/^deploy --dry-run --outdir \S+$/),
    ]);
    expect(result.applied).toEqual([]);
    expect(result.requests).toEqual([]);
    expect(result.built).toBe(true);
  });

  it("passes when every secret it needs exists, still sending nothing", async () => {
    const result = await run(["--dry-run", "--mongo", "--upstash"], {
      secrets: ALL_SECRETS,
      env: { MONGODB_URI: "mongodb://127.0.0.1:1/never_contacted" },
    });
    expect(result.output).toContain("dry run passed");
    expect(result.code).toBe(0);
    expect(result.wranglerCalls.some((args) => args[0] === "deploy" && !args.includes("--dry-run"))).toBe(false);
    expect(result.applied).toEqual([]);
    expect(result.requests).toEqual([]);
  });

  it("needs only SESSION_SECRET for the embedded Store and cache", async () => {
    const ok = await run(["--dry-run"], { secrets: "SESSION_SECRET" });
    expect(ok.code).toBe(0);
    expect(ok.output).toContain("store: embedded; cache: embedded");
    const missing = await run(["--dry-run"], { secrets: "" });
    expect(missing.code).toBe(1);
    expect(missing.output).toContain("missing secret SESSION_SECRET");
  });

  it("treats a MONGODB_URI secret as --mongo: the migrations need the URI here too", async () => {
    const result = await run(["--dry-run"], { secrets: "SESSION_SECRET,MONGODB_URI" });
    expect(result.output).toContain("treated as --mongo");
    expect(result.output).toContain("MONGODB_URI is not set here");
    expect(result.code).toBe(1);
  });

  it("works offline: an unreadable secret list is a warning, not a stop", async () => {
    const result = await run(["--dry-run"]);
    expect(result.output).toContain("could not list the Worker's secrets (offline, or not logged in)");
    expect(result.code).toBe(0);
    expect(result.requests).toEqual([]);
  });
});

describe("npm run deploy", () => {
  it("migrates, deploys, then checks the deployed /api/health", async () => {
    const result = await run(["--mongo", "--upstash"], {
      secrets: ALL_SECRETS,
      env: { MONGODB_URI: "mongodb+srv://user:pass@cluster.example/edge_chat" },
    });
    expect(result.output).toContain("deployed and healthy");
    expect(result.code).toBe(0);
    expect(result.applied).toEqual(["mongodb+srv://user:pass@cluster.example/edge_chat"]);
    expect(result.wranglerCalls.map((args) => args.join(" "))).toEqual(["secret list --format json", "deploy"]);
    expect(result.requests).toEqual([`${DEPLOYED}/api/health`]);
  });

  it("stops before migrating or deploying when a secret is missing", async () => {
    const result = await run(["--mongo"], {
      secrets: "MONGODB_URI",
      env: { MONGODB_URI: "mongodb://127.0.0.1:1/x" },
    });
    expect(result.code).toBe(1);
    expect(result.output).toContain("missing secret SESSION_SECRET");
    expect(result.applied).toEqual([]);
    expect(result.wranglerCalls.map((args) => args[0])).toEqual(["secret"]);
  });

  it("stops when the secrets cannot be listed", async () => {
    const result = await run([]);
    expect(result.code).toBe(1);
    expect(result.wranglerCalls.map((args) => args[0])).toEqual(["secret"]);
  });

  it("fails unless the deployed Worker is healthy, and says how to roll back", async () => {
    const down = await run([], {
      secrets: "SESSION_SECRET",
      status: 503,
      health: { ok: false, store: "embedded", cache: "embedded", answers: { store: false, cache: true } },
    });
    expect(down.code).toBe(1);
    expect(down.output).toContain("npx wrangler rollback");
    expect(down.requests).toEqual([`${DEPLOYED}/api/health`]);
  });

  it("fails when the Worker runs on other adapters than intended (a misnamed secret)", async () => {
    const result = await run(["--upstash", "--url", "https://chat.example.com/"], {
      secrets: "SESSION_SECRET,UPSTASH_REDIS_REST_URL,UPSTASH_REDIS_REST_TOKEN",
      health: { ok: true, store: "embedded", cache: "embedded", answers: { store: true, cache: true } },
    });
    expect(result.code).toBe(1);
    expect(result.output).toContain('expected cache "upstash"');
    expect(result.requests).toEqual(["https://chat.example.com/api/health"]);
  });
});

describe("its parsing", () => {
  it("reads wrangler's secret list", () => {
    expect(parseSecretNames('[\n  { "name": "B", "type": "secret_text" },\n  { "name": "A" }\n]\n')).toEqual([
      "A",
      "B",
    ]);
    expect(parseSecretNames("not json")).toBeNull();
  });

  it("refuses unknown arguments", () => {
    expect(parseArgs(["--prod"])).toBe("unknown argument: --prod");
    expect(parseArgs(["--url", "chat.example.com"])).toMatch(/--url needs/);
  });
});

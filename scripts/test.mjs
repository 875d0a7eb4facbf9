// `npm test`: type-checks both sides, then runs every Vitest project (workerd, then the
// end-to-end suites against wrangler dev and Chromium), and ends with "N passed, N failed".
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { resolve } from "node:path";
import { offlineEnv, projectRoot } from "./dev-env.mjs";

const bin = (name) => resolve(projectRoot, "node_modules/.bin", name);
const run = (command, args) => spawnSync(command, args, { cwd: projectRoot, env: offlineEnv(), stdio: "inherit" }).status ?? 1;

let failedChecks = 0;
// Binding types are generated from wrangler.toml, never edited by hand: they must be current.
if (run(bin("wrangler"), ["types", "--strict-vars=false", "--env-file", ".dev.vars.example", "--check"]) !== 0) {
  console.error("worker-configuration.d.ts is stale: run `npm run types`");
  failedChecks += 1;
}
for (const project of ["tsconfig.json", "web/tsconfig.json", "test/e2e/tsconfig.json"]) {
  if (run(bin("tsc"), ["-p", project, "--noEmit"]) !== 0) {
    console.error(`type check failed: ${project}`);
    failedChecks += 1;
  }
}

const report = resolve(projectRoot, ".test-results.json");
rmSync(report, { force: true });
const status = run(bin("vitest"), ["run", "--reporter=default", "--reporter=json", `--outputFile.json=${report}`, ...process.argv.slice(2)]);

let passed = 0;
let failed = failedChecks;
if (existsSync(report)) {
  const results = JSON.parse(readFileSync(report, "utf8"));
  passed += results.numPassedTests;
  failed += results.numFailedTests;
  // A suite that crashed before running its tests counts as a failure too.
  failed += results.testResults.filter((file) => file.status === "failed" && file.assertionResults.length === 0).length;
} else {
  failed += 1;
}
if (status !== 0 && failed === 0) failed = 1;
console.log(`${passed} passed, ${failed} failed`);
process.exitCode = failed > 0 ? 1 : 0;

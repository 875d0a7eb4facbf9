// `npm test`: type-checks both sides, then runs every Vitest project (workerd, then the
// end-to-end suites against wrangler dev and Chromium), and ends with "N passed, N failed".
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { resolve } from "node:path";
import { offlineEnv, projectRoot } from "./dev-env.mjs";

const bin = (name) => resolve(projectRoot, "node_modules/.bin", name);
const run = (command, args) =>
  spawnSync(command, args, { cwd: projectRoot, env: offlineEnv(), stdio: "inherit" }).status ?? 1;

let failedChecks = 0;
const check = (what, command, args) => {
  if (run(command, args) === 0) return;
  console.error(what);
  failedChecks += 1;
};
// Binding types are generated from wrangler.toml, never edited by hand: they must be current.
const typesArgs = JSON.parse(readFileSync(resolve(projectRoot, "package.json"), "utf8"))
  .scripts.types.split(" ")
  .slice(1);
check("worker-configuration.d.ts is stale: run `npm run types`", bin("wrangler"), [...typesArgs, "--check"]);
check("an import runs against the layers (see above)", process.execPath, [
  resolve(projectRoot, "scripts/check-imports.mjs"),
]);
check("formatting or lint failed: run `npx biome check --write .`", bin("biome"), ["ci", "."]);
for (const project of ["tsconfig.json", "web/tsconfig.json", "test/e2e/tsconfig.json"]) {
  check(`type check failed: ${project}`, bin("tsc"), ["-p", project, "--noEmit"]);
}

const report = resolve(projectRoot, ".test-results.json");
rmSync(report, { force: true });
const status = run(bin("vitest"), [
  "run",
  "--reporter=default",
  "--reporter=json",
  `--outputFile.json=${report}`,
  ...process.argv.slice(2),
]);

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

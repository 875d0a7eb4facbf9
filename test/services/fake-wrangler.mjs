// Stands in for wrangler in the deploy script's tests: records every call, prints a secret list,
// and pretends to bundle or deploy. Never touches the network.
//   FAKE_WRANGLER_CALLS    file that gets one JSON line per call: the arguments
//   FAKE_WRANGLER_SECRETS  comma-separated names that `secret list` prints; unset: it fails as offline
//   FAKE_WRANGLER_URL      what `deploy` reports as the deployed address
import { appendFileSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const args = process.argv.slice(2);
appendFileSync(process.env.FAKE_WRANGLER_CALLS, `${JSON.stringify(args)}\n`);
const [command, sub] = args;

if (command === "secret" && sub === "list") {
  if (process.env.FAKE_WRANGLER_SECRETS === undefined) {
    console.error("✘ [ERROR] A request to the Cloudflare API failed: fetch failed");
    process.exit(1);
  }
  const names = process.env.FAKE_WRANGLER_SECRETS.split(",").filter(Boolean);
  console.log(
    JSON.stringify(
      names.map((name) => ({ name, type: "secret_text" })),
      null,
      "  ",
    ),
  );
} else if (command === "deploy" && args.includes("--dry-run")) {
  const outdir = args[args.indexOf("--outdir") + 1];
  mkdirSync(outdir, { recursive: true });
  writeFileSync(join(outdir, "index.js"), "export default {};\n".repeat(100));
  console.log("--dry-run: exiting now.");
} else if (command === "deploy") {
  const url = process.env.FAKE_WRANGLER_URL;
  if (process.env.WRANGLER_OUTPUT_FILE_PATH) {
    const entry = { type: "deploy", version: 1, worker_name: "edge-chat", targets: [url] };
    appendFileSync(process.env.WRANGLER_OUTPUT_FILE_PATH, `${JSON.stringify(entry)}\n`);
  }
  console.log(`Uploaded edge-chat\nDeployed edge-chat triggers\n  ${url}\n  schedule: */10 * * * *`);
} else {
  console.error(`fake wrangler: unexpected command ${args.join(" ")}`);
  process.exit(1);
}

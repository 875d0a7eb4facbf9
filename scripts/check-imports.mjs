// Fails when an import runs against the layers: worker/ → durable-objects/ → server/ → protocol/,
// web/ → protocol/, and bench/ (its Worker) → any of the app's but web/; nothing imports bench/. Tests may also import test helpers. `--graph` prints the layer edges.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { projectRoot } from "./dev-env.mjs";

/** What each layer may import besides itself. */
const ALLOWED = {
  protocol: [],
  server: ["protocol"],
  "durable-objects": ["server", "protocol"],
  worker: ["durable-objects", "server", "protocol"],
  web: ["protocol"],
  bench: ["worker", "durable-objects", "server", "protocol"],
};
const TEST_FILE = /\.(test|contract)\.tsx?$/;
const IMPORT = /^\s*(?:import|export)\s[^;]*?from\s+["'](\.[^"']+)["']/gms;

function* sourceFiles(dir) {
  if (!existsSync(dir)) return;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === "node_modules" || entry.name.startsWith(".")) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* sourceFiles(path);
    else if (/\.tsx?$/.test(entry.name) && !entry.name.endsWith(".d.ts")) yield path;
  }
}

const layerOf = (path) => relative(projectRoot, path).split("/")[0];

const violations = [];
const edges = new Map();
for (const layer of Object.keys(ALLOWED)) {
  for (const file of sourceFiles(resolve(projectRoot, layer))) {
    for (const match of readFileSync(file, "utf8").matchAll(IMPORT)) {
      const target = layerOf(resolve(dirname(file), match[1]));
      if (target === layer) continue;
      const edge = `${layer} → ${target}`;
      edges.set(edge, (edges.get(edge) ?? 0) + 1);
      const allowed = ALLOWED[layer].includes(target) || (TEST_FILE.test(file) && target === "test");
      if (!allowed) violations.push(`${relative(projectRoot, file)} imports ${match[1]} (${edge})`);
    }
  }
}

if (process.argv.includes("--graph")) {
  for (const [edge, count] of [...edges].sort()) console.log(`${edge}: ${count} import(s)`);
}
for (const violation of violations) console.error(`import against the layers: ${violation}`);
process.exitCode = violations.length > 0 ? 1 : 0;

// What each source file adds to a first page's gzipped bytes, read from the build's source maps:
// every minified byte of a chunk goes to the source its mapping names, and each chunk's real
// gzipped size is shared among its sources in proportion to how much each of them gzips to alone.
// The shares of one page add up to its JS total; CSS files are listed as they are.
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { gzipSync } from "node:zlib";

const BASE64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/** One mapping segment's numbers (source-map v3 base64 VLQ). */
function decodeSegment(segment) {
  const numbers = [];
  let value = 0;
  let shift = 0;
  for (const character of segment) {
    const digit = BASE64.indexOf(character);
    value += (digit & 31) << shift;
    if (digit & 32) {
      shift += 5;
      continue;
    }
    numbers.push(value & 1 ? -(value >>> 1) : value >>> 1);
    value = 0;
    shift = 0;
  }
  return numbers;
}

const root = resolve(dirname(new URL(import.meta.url).pathname), "..");

/** A source's path as a reader knows it: the package's, or from the project's root. */
function shortName(source, chunkPath) {
  const path = resolve(dirname(chunkPath), source);
  return path.includes("/node_modules/") ? path.replace(/^.*node_modules\//, "") : relative(root, path);
}

/** A minified chunk's text, split by the source each byte came from ("(bundler)" when none). */
function textBySource(code, map, chunkPath) {
  const lines = code.split("\n");
  const texts = new Map();
  let source = 0;
  map.mappings.split(";").forEach((line, lineIndex) => {
    const segments = [];
    let column = 0;
    for (const raw of line.split(",")) {
      if (!raw) continue;
      const numbers = decodeSegment(raw);
      column += numbers[0];
      if (numbers.length > 1) source += numbers[1];
      segments.push({ column, source: numbers.length > 1 ? source : -1 });
    }
    const text = lines[lineIndex] ?? "";
    segments.forEach((segment, index) => {
      const end = segments[index + 1]?.column ?? text.length;
      const name = segment.source < 0 ? "(bundler)" : shortName(map.sources[segment.source], chunkPath);
      texts.set(name, (texts.get(name) ?? "") + text.slice(segment.column, end));
    });
  });
  return texts;
}

/** Bytes gzipped at level 9, as every size in the bench is counted. */
export const gzipped = (text) => gzipSync(text, { level: 9 }).byteLength;

/** A built file as the browser gets it: without the source-map comment a `--sourcemap` build adds. */
export function readAsServed(path) {
  return readFileSync(path, "utf8").replace(/\n\/\/# sourceMappingURL=.*\n?$/, "");
}

/**
 * @param {string} outDir a build with source maps
 * @param {string[]} assets a page's files ("/assets/…")
 * @returns {{ source: string, bytes: number }[]} gzipped bytes per source, largest first
 */
export function pageParts(outDir, assets) {
  const shares = new Map();
  const add = (name, bytes) => shares.set(name, (shares.get(name) ?? 0) + bytes);
  for (const asset of assets) {
    const path = join(outDir, asset);
    const code = readAsServed(path);
    const total = gzipped(code);
    if (asset.endsWith(".css") || !existsSync(`${path}.map`)) {
      add(asset.replace(/^\/assets\/|-[\w-]{8}(?=\.)/g, ""), total);
      continue;
    }
    const texts = [...textBySource(code, JSON.parse(readFileSync(`${path}.map`, "utf8")), path)];
    const alone = texts.map(([, text]) => gzipped(text));
    const sum = alone.reduce((a, b) => a + b, 0);
    texts.forEach(([name], index) => {
      add(name, (total * alone[index]) / sum);
    });
  }
  return [...shares].map(([source, bytes]) => ({ source, bytes: Math.round(bytes) })).sort((a, b) => b.bytes - a.bytes);
}

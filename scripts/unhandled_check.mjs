/**
 * The unhandled-rejection check on the built npm package, under Node with
 * `--unhandled-rejections=strict` (issue 12): runs every path of
 * tests/misuse/_unhandled_paths.mjs (the table the Deno test runs on the
 * sources) against the package's public entry, and fails on any rejection
 * the caller never received (strict mode raises it as an uncaught
 * exception) and on any error reported on a microtask.
 *
 * Run after the npm build (`deno task build:npm`):
 *
 *     node --unhandled-rejections=strict scripts/unhandled_check.mjs [npm-dir]
 *
 * `npm-dir` defaults to `npm/`; the entry is what its package.json
 * `exports["."]` gives an ES module import. The script first runs a path
 * that leaves a rejection unhandled and requires the check to catch it (the
 * negative control), so a check that catches nothing cannot pass.
 *
 * @module
 */

import { readFileSync } from "node:fs";
import path from "node:path";
import process from "node:process";
import { fileURLToPath, pathToFileURL } from "node:url";
import { LEAKY_PATH, paths } from "../tests/misuse/_unhandled_paths.mjs";

if (!process.execArgv.includes("--unhandled-rejections=strict")) {
  console.error("unhandled_check: run with node --unhandled-rejections=strict");
  process.exit(2);
}

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const dir = path.resolve(root, process.argv[2] ?? "npm");

/** The file an ES module import of the package's "." resolves to. */
function entryOf(/** @type {unknown} */ target) {
  if (typeof target === "string") return target;
  if (target === null || typeof target !== "object") return undefined;
  for (const condition of ["import", "node", "default"]) {
    const found = entryOf(
      /** @type {Record<string, unknown>} */ (target)[condition],
    );
    if (found !== undefined) return found;
  }
  return undefined;
}

const manifest = JSON.parse(
  readFileSync(path.join(dir, "package.json"), "utf8"),
);
const exported = manifest.exports;
const entry = entryOf(
  typeof exported === "object" && exported !== null && "." in exported
    ? exported["."]
    : exported ?? manifest.module ?? manifest.main,
);
if (entry === undefined) {
  console.error(`unhandled_check: no ES module entry in ${dir}/package.json`);
  process.exit(2);
}
const pledge = await import(pathToFileURL(path.join(dir, entry)).href);

/** What strict mode raised during the current path. */
let raised = [];
process.on("uncaughtException", (error) => {
  raised.push(
    error instanceof Error ? `${error.name}: ${error.message}` : String(error),
  );
});
// Strict mode emits this only for a rejection the handler above recorded.
process.on("unhandledRejection", () => {});

async function settle() {
  for (let i = 0; i < 3; i++) {
    await new Promise((resolve) => setTimeout(resolve, 0));
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/** Runs one path; returns what went wrong. */
async function check({ name, run }) {
  raised = [];
  const problems = [];
  try {
    await run(pledge);
  } catch (error) {
    problems.push(
      `the caller did not get what it expected: ${error?.message ?? error}`,
    );
  }
  await settle();
  for (const r of raised) problems.push(`unhandled (strict): ${r}`);
  return { name, problems };
}

const control = await check(LEAKY_PATH);
if (!control.problems.some((p) => p.includes("nobody receives this"))) {
  console.error("unhandled_check: FAILED: the negative control was not caught");
  process.exit(1);
}
console.log(`unhandled_check: ${LEAKY_PATH.name}: caught, as it must be`);

const all = paths();
let failed = 0;
for (const p of all) {
  const { name, problems } = await check(p);
  if (problems.length > 0) {
    failed++;
    console.log(`FAIL ${name}\n  ${problems.join("\n  ")}`);
  }
}
console.log(
  failed === 0
    ? `unhandled_check: ${all.length} paths on ${
      path.relative(root, path.join(dir, entry))
    } (Node ${process.version}, strict): nothing left unhandled`
    : `unhandled_check: ${failed} of ${all.length} paths failed`,
);
process.exit(failed === 0 ? 0 : 1);

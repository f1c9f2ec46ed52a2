/**
 * `deno task check:size`: what a bundler ships for one import of pledge,
 * next to its closest peer, measured in the same run.
 *
 * Bundles single imports (`export { retry } from "@pledge/core"`) from the
 * package `deno task build:npm` left in `npm/` with esbuild (pinned in
 * scripts/npm_tools; `--bundle --minify --format=esm`), and the same for the
 * peers pinned in deno.json (p-retry, cockatiel, p-map, p-queue, p-timeout,
 * p-debounce, from the `node_modules/` that `deno install` fills). Prints
 * minified and gzipped bytes and the ratio, and fails when an API outgrows
 * twice its peer's minified bundle (`Completer`: 6 KB),
 * except where {@linkcode OVER_TARGET} records why it cannot meet that yet:
 * then it fails past the ceiling recorded there, and also once it meets the
 * target (so the exception gets removed).
 *
 * Also reports the whole library, each entry point, and the module-level
 * code of each module: what a bundler keeps when nothing is imported from
 * it (work it cannot prove free of side effects, which ships with any import
 * of that module, and in full to bundlers that ignore `sideEffects`).
 *
 * @module
 */

import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const OUT = path.join(ROOT, "npm");
const ESBUILD = path.join(
  ROOT,
  "scripts",
  "npm_tools",
  "node_modules",
  ".bin",
  "esbuild",
);
const KB = 1024;

/** One pledge API and the peer it is measured against. */
interface Entry {
  /** The export of `@pledge/core`. */
  name: string;
  /** The peer package (pinned in deno.json) and what to import from it. */
  peer?: { pkg: string; imports: string; label: string };
  /** An absolute budget in bytes where there is no peer. */
  budget?: number;
  /**
   * A use of the API that must still work when bundled alone (tree-shaking
   * must never drop a module the API needs): the body of an async function,
   * throwing on a wrong result.
   */
  use: string;
}

const ENTRIES: Entry[] = [
  {
    name: "retry",
    use: 'if ((await retry(() => 1)) !== 1) throw new Error("retry");',
    peer: { pkg: "p-retry", imports: "default", label: "p-retry" },
  },
  {
    name: "CircuitBreaker",
    use:
      'if ((await new CircuitBreaker().execute(() => 2)) !== 2) throw new Error("breaker");',
    peer: {
      pkg: "cockatiel",
      imports: "circuitBreaker, ConsecutiveBreaker, handleAll",
      label: "cockatiel circuitBreaker",
    },
  },
  {
    name: "Bulkhead",
    use:
      'if ((await new Bulkhead({ concurrency: 1 }).execute(() => 3)) !== 3) throw new Error("bulkhead");',
    peer: {
      pkg: "cockatiel",
      imports: "bulkhead",
      label: "cockatiel bulkhead",
    },
  },
  {
    name: "mapConcurrent",
    use:
      'const r = await mapConcurrent([1, 2], async (x) => x * 2, { concurrency: 1 }); if (r.join() !== "2,4") throw new Error("map");',
    peer: { pkg: "p-map", imports: "default", label: "p-map" },
  },
  {
    name: "PooledExecutor",
    use:
      'if ((await new PooledExecutor({ concurrency: 1 }).submit(() => 4)) !== 4) throw new Error("pool");',
    peer: { pkg: "p-queue", imports: "default", label: "p-queue" },
  },
  {
    name: "timeout",
    use:
      'if ((await timeout(Promise.resolve(5), 1000)) !== 5) throw new Error("timeout");',
    peer: { pkg: "p-timeout", imports: "default", label: "p-timeout" },
  },
  {
    name: "debounce",
    use:
      'if ((await debounce((x) => x, 0)(6)) !== 6) throw new Error("debounce");',
    peer: { pkg: "p-debounce", imports: "default", label: "p-debounce" },
  },
  {
    name: "Completer",
    budget: 6 * KB,
    use:
      'const c = new Completer(); c.resolve(7); if ((await c.future) !== 7) throw new Error("completer");',
  },
];

/**
 * APIs that cannot meet twice their peer's size yet, with the ceiling (bytes,
 * minified) they must stay under meanwhile and why. Every pledge API returns
 * a `Future` and takes a `signal`: 7.2 KB before any of its own code, more
 * than twice p-timeout, p-map or p-debounce. Measured on 2026-12-04; the
 * ceilings leave about 10% for the renames landing beside them.
 */
const OVER_TARGET: Record<string, { ceiling: number; why: string }> = {
  retry: {
    ceiling: 19_500,
    why:
      "returns a Future (3.6 KB) and watches its signal through the signal core (1.9 KB); classify (2.8 KB), backoff (1.4 KB), Retry-After (1.0 KB) and the timer heap (2.0 KB) come with it",
  },
  mapConcurrent: {
    ceiling: 13_000,
    why:
      "returns a Future (3.6 KB), watches its signal through the signal core (1.9 KB), checks its options (1.6 KB) and takes its waits off long-lived Futures when aborted (0.7 KB): p-map's whole bundle is 2.2 KB",
  },
  timeout: {
    ceiling: 12_200,
    why:
      "returns a Future (3.6 KB), watches its signal through the signal core (1.9 KB) and shares the timer heap (2.0 KB): p-timeout's whole bundle is 1.2 KB",
  },
  debounce: {
    ceiling: 10_400,
    why:
      "every caller gets a Future (3.6 KB), timers go through the shared timer heap (2.0 KB) and options are checked (1.5 KB): p-debounce's whole bundle is 1.2 KB",
  },
};

function fail(message: string): never {
  console.error(`check_size: ${message}`);
  process.exit(1);
}

if (!fs.existsSync(path.join(OUT, "package.json"))) {
  fail("npm/package.json is missing: run `deno task build:npm` first");
}
if (!fs.existsSync(ESBUILD)) {
  fail("esbuild is missing: run `npm ci --prefix scripts/npm_tools` first");
}
const pkgName = JSON.parse(
  fs.readFileSync(path.join(OUT, "package.json"), "utf8"),
).name as string;
const denoJson = JSON.parse(
  fs.readFileSync(path.join(ROOT, "deno.json"), "utf8"),
) as { imports: Record<string, string>; exports: Record<string, string> };

// A project that has installed pledge (node_modules/@pledge/core -> npm/)
// and the peers (node_modules/<peer> -> deno install's copies).
const TMP = fs.mkdtempSync(path.join(os.tmpdir(), "pledge-size-"));
process.on("exit", () => fs.rmSync(TMP, { recursive: true, force: true }));
const link = (target: string, name: string): void => {
  const at = path.join(TMP, "node_modules", name);
  fs.mkdirSync(path.dirname(at), { recursive: true });
  fs.symlinkSync(target, at, "dir");
};
link(OUT, pkgName);
const peerVersion = new Map<string, string>();
for (const pkg of new Set(ENTRIES.flatMap((e) => e.peer ? [e.peer.pkg] : []))) {
  const pin = /^npm:(?:@[^/]+\/)?[^@]+@(.+)$/.exec(
    denoJson.imports[pkg] ?? "",
  )?.[1];
  const dir = path.join(ROOT, "node_modules", pkg);
  if (pin === undefined) fail(`deno.json pins no npm:${pkg}@<version>`);
  if (!fs.existsSync(dir)) fail(`${dir} is missing: run \`deno install\``);
  const installed = JSON.parse(
    fs.readFileSync(path.join(dir, "package.json"), "utf8"),
  ).version;
  if (installed !== pin) {
    fail(`node_modules has ${pkg}@${installed}, deno.json pins ${pin}`);
  }
  peerVersion.set(pkg, pin);
  link(dir, pkg);
}

interface Size {
  min: number;
  gz: number;
}

let entryCount = 0;
/** esbuild's minified ESM bundle of `code` (an entry module in TMP). */
function bundle(code: string, extra: string[] = []): Size & { text: string } {
  const file = path.join(TMP, `entry${entryCount}.mjs`);
  const outfile = path.join(TMP, `bundle${entryCount++}.js`);
  fs.writeFileSync(file, code);
  const r = spawnSync(ESBUILD, [
    file,
    "--bundle",
    "--minify",
    "--format=esm",
    "--log-level=error",
    `--outfile=${outfile}`,
    ...extra,
  ], { cwd: TMP, encoding: "utf8" });
  if (r.status !== 0) fail(`esbuild failed on ${code}\n${r.stderr}`);
  const text = fs.readFileSync(outfile, "utf8");
  return {
    text,
    min: Buffer.byteLength(text),
    gz: gzipSync(text, { level: 9 }).length,
  };
}

const kb = (n: number): string => `${(n / KB).toFixed(1)} KB`;
const both = (s: Size): string => `${kb(s.min)} (${kb(s.gz)} gz)`;
let failures = 0;
const rows: string[][] = [];

for (const entry of ENTRIES) {
  const mine = bundle(`export { ${entry.name} } from "${pkgName}";\n`);
  // The API bundled alone must still work: run a use of it under Node.
  const used = bundle(
    `import { ${entry.name} } from "${pkgName}";\n` +
      `await (async () => { ${entry.use} })();\nconsole.log("USED");\n`,
  );
  const usedFile = path.join(TMP, `used-${entry.name}.mjs`);
  fs.writeFileSync(usedFile, used.text);
  const ran = spawnSync("node", [usedFile], { encoding: "utf8" });
  if (ran.status !== 0 || !/^USED$/m.test(ran.stdout)) {
    failures++;
    console.error(
      `check_size: ${entry.name} bundled alone does not work:\n${
        ran.stderr.split("\n").filter((l) => l.length < 300).join("\n")
      }`,
    );
  }
  const row = [entry.name, both(mine)];
  let budget = entry.budget ?? Infinity;
  if (entry.peer !== undefined) {
    const { pkg, imports, label } = entry.peer;
    const spec = imports === "default" ? "default" : imports;
    const peer = bundle(`export { ${spec} } from "${pkg}";\n`);
    budget = 2 * peer.min;
    row.push(
      `${label} ${peerVersion.get(pkg)}`,
      both(peer),
      `${(mine.min / peer.min).toFixed(1)}x`,
    );
  } else row.push("-", "-", "-");
  const over = OVER_TARGET[entry.name];
  let verdict: string;
  if (mine.min <= budget) {
    verdict = over === undefined
      ? "ok"
      : "FAIL: meets the target now: remove it from OVER_TARGET";
  } else if (over !== undefined && mine.min <= over.ceiling) {
    verdict = `over target (${kb(budget)}); ceiling ${
      kb(over.ceiling)
    }: ${over.why}`;
  } else {
    verdict = `FAIL: over ${
      over === undefined
        ? `budget ${kb(budget)}`
        : `ceiling ${kb(over.ceiling)}`
    }`;
  }
  if (verdict.startsWith("FAIL")) failures++;
  rows.push([...row, verdict]);
}

const header = ["pledge", "bundle", "peer", "peer bundle", "ratio", "verdict"];
const widths = header.map((h, i) =>
  Math.max(h.length, ...rows.map((r) => (i < 5 ? r[i]!.length : 0)))
);
console.log("Single imports, esbuild --bundle --minify --format=esm:");
for (const r of [header, ...rows]) {
  console.log(
    "  " + r.slice(0, 5).map((c, i) => c.padEnd(widths[i]!)).join("  ") +
      "  " + r[5],
  );
}

console.log("\nWhole entry points (export *):");
for (const subpath of Object.keys(denoJson.exports)) {
  const spec = subpath === "." ? pkgName : `${pkgName}/${subpath.slice(2)}`;
  console.log(
    `  ${spec.padEnd(28)} ${both(bundle(`export * from "${spec}";\n`))}`,
  );
}

// Module-level work: every module imported for its side effects only, from
// a copy whose package.json does not say `"sideEffects": false`; whatever
// esbuild keeps is code that runs (or cannot be proven not to) on import.
const residueDir = path.join(TMP, "residue");
// Only what is packed: package.json's `files` leaves out the test side.
const unpacked = (JSON.parse(
  fs.readFileSync(path.join(OUT, "package.json"), "utf8"),
).files as string[]).filter((f) => f.startsWith("!esm/")).map((f) =>
  path.join(OUT, f.slice(1))
);
fs.cpSync(path.join(OUT, "esm"), residueDir, {
  recursive: true,
  filter: (src) => !unpacked.some((dir) => (src + path.sep).startsWith(dir)),
});
fs.writeFileSync(path.join(residueDir, "package.json"), '{"type":"module"}');
const modules: string[] = [];
const walk = (dir: string): void => {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) walk(full);
    else if (e.name.endsWith(".js")) modules.push(full);
  }
};
walk(residueDir);
const metafile = path.join(TMP, "residue.json");
bundle(
  modules.map((m) => `import ${JSON.stringify(m)};`).join("\n"),
  [`--metafile=${metafile}`],
);
const inputs = Object.values(
  JSON.parse(fs.readFileSync(metafile, "utf8")).outputs as Record<
    string,
    { inputs: Record<string, { bytesInOutput: number }> }
  >,
)[0]!.inputs;
const residue = Object.entries(inputs)
  .map(([file, { bytesInOutput }]) => ({
    module: path.relative(residueDir, path.resolve(TMP, file)).split(path.sep)
      .join("/"),
    bytes: bytesInOutput,
  }))
  .filter((r) => r.bytes > 0 && !r.module.startsWith(".."))
  .sort((a, b) => b.bytes - a.bytes);
const total = residue.reduce((n, r) => n + r.bytes, 0);
console.log(
  `\nModule-level code a bundler keeps with nothing imported (${
    kb(total)
  } minified in ${residue.length} of ${modules.length} modules):`,
);
for (const r of residue) {
  console.log(`  ${String(r.bytes).padStart(6)}  ${r.module}`);
}

const whole = bundle(`export * from "${pkgName}";\n`);
console.log(`\nThe whole library: ${both(whole)}`);
console.log(
  `check_size: ${failures === 0 ? "within budget" : `${failures} failure(s)`}`,
);
if (failures > 0) process.exit(1);

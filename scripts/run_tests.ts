/**
 * `deno task test [paths...] [deno test flags...]`: the test suite with its
 * doc examples, one line per test file, the totals, and failures in full.
 *
 * - Runs `deno test -A` on the test files under `paths` (default: the whole
 *   repository) plus the code blocks `deno test --doc` would run (JSDoc of the
 *   modules under `paths`, Markdown files such as README.md). The blocks are
 *   generated as modules the way Deno does (scripts/_doc_examples.ts) and run
 *   one process per area (`src/<area>`, `mod.ts`, `README.md`) instead of one
 *   per block: the same checks, one type-check program, a fraction of the
 *   start-up cost.
 * - Prints one line per file (`ok` or `FAIL`, counts, seconds), then Deno's
 *   ERRORS and FAILURES sections unchanged, then Deno's closing totals line.
 *   When something fails, the full report is kept in a log file named at
 *   the end.
 * - A per-test time limit: a test or step that makes no progress (no step of
 *   it finishes) for `--time-limit=<s>` seconds (default 60, or
 *   `PLEDGE_TEST_TIME_LIMIT_S`) fails the run, naming the file, test and
 *   step, instead of hanging it (a livelock, or an interval that keeps the
 *   event loop alive).
 *
 * Other flags (`--filter`, `--fail-fast`, `--no-check`...) go to `deno test`.
 *
 * @module
 */

import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import process from "node:process";
import type { Readable } from "node:stream";
import { fileURLToPath, pathToFileURL } from "node:url";
import {
  type DocExample,
  exampleModule,
  exportedNames,
  extractExamples,
} from "./_doc_examples.ts";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const DOC_EXTENSIONS = /\.(ts|tsx|mts|js|mjs|md)$/;
const SKIP_DIRS = new Set(["node_modules", "npm", ".git", ".coverage"]);

// ---------------------------------------------------------------- options

const args = process.argv.slice(2);
let limitS = Number(process.env.PLEDGE_TEST_TIME_LIMIT_S ?? 60);
const denoFlags: string[] = [];
const paths: string[] = [];
for (const a of args) {
  const limit = /^--time-limit=(\d+(?:\.\d+)?)$/.exec(a);
  if (limit) limitS = Number(limit[1]);
  else if (a.startsWith("-")) denoFlags.push(a);
  else paths.push(a);
}
if (!(limitS > 0)) {
  console.error(`run_tests: --time-limit must be a number of seconds > 0`);
  process.exit(2);
}
if (paths.length === 0) paths.push(".");

// ------------------------------------------------- doc examples as modules

const denoJson = JSON.parse(
  fs.readFileSync(path.join(ROOT, "deno.json"), "utf8"),
) as { exclude?: string[]; test?: { exclude?: string[] } };
const excluded = [...denoJson.exclude ?? [], ...denoJson.test?.exclude ?? []]
  .map((p) => path.resolve(ROOT, p));
const isExcluded = (file: string): boolean =>
  excluded.some((e) => file === e || file.startsWith(e + path.sep));

function docSources(start: string): string[] {
  const abs = path.resolve(start);
  if (!fs.existsSync(abs) || isExcluded(abs)) return [];
  if (fs.statSync(abs).isFile()) return DOC_EXTENSIONS.test(abs) ? [abs] : [];
  const out: string[] = [];
  for (const entry of fs.readdirSync(abs, { withFileTypes: true })) {
    if (entry.name.startsWith(".") || SKIP_DIRS.has(entry.name)) continue;
    out.push(...docSources(path.join(abs, entry.name)));
  }
  return out.sort();
}

const rel = (file: string): string =>
  path.relative(ROOT, file).split(path.sep).join("/");
/** `src/future/future.ts` -> `src/future`; `mod.ts`, `README.md` alone. */
const groupOf = (file: string): string => {
  const parts = rel(file).split("/");
  return parts.length > 2 ? parts.slice(0, 2).join("/") : parts.join("/");
};

// One folder per checkout, rewritten only where a block changed: Deno's
// type-check cache (keyed by content and path) then skips what it checked
// in the previous run.
const TMP = path.join(
  os.tmpdir(),
  `pledge-doc-${createHash("sha256").update(ROOT).digest("hex").slice(0, 12)}`,
);
fs.mkdirSync(TMP, { recursive: true });
const written = new Set<string>();
function write(name: string, text: string): void {
  written.add(name);
  const file = path.join(TMP, name);
  if (!fs.existsSync(file) || fs.readFileSync(file, "utf8") !== text) {
    fs.writeFileSync(file, text);
  }
}
const groups = new Map<string, string[]>();
let exampleCount = 0;
for (const file of new Set(paths.flatMap(docSources))) {
  const text = fs.readFileSync(file, "utf8");
  const examples: DocExample[] = extractExamples(rel(file), text);
  if (examples.length === 0) continue;
  const documented = file.endsWith(".md") ? undefined : {
    specifier: pathToFileURL(file).href,
    names: exportedNames(text),
  };
  // A relative import in a block is relative to the documented file.
  const resolve = (spec: string): string =>
    /^\.\.?\//.test(spec) ? new URL(spec, pathToFileURL(file)).href : spec;
  const flat = rel(file).replace(/[^\w]+/g, "_");
  const group = groupOf(file);
  const imports = groups.get(group) ?? [];
  for (const example of examples) {
    const name = `${flat}_L${example.line}.ts`;
    write(name, exampleModule(example, documented, resolve));
    imports.push(`import "./${name}";`);
    exampleCount++;
  }
  groups.set(group, imports);
}
/** Runner file name -> what the summary calls it. */
const runners = new Map<string, string>();
for (const [group, imports] of groups) {
  const name = `doc_${group.replace(/[^\w]+/g, "_")}.ts`;
  write(name, imports.join("\n") + "\n");
  runners.set(name, `${group} (${imports.length} doc examples)`);
}
for (const stale of fs.readdirSync(TMP)) {
  if (!written.has(stale)) fs.rmSync(path.join(TMP, stale), { force: true });
}

// ------------------------------------------------------------ deno test

const logFile = path.join(os.tmpdir(), `pledge-test-${process.pid}.log`);
const log = fs.createWriteStream(logFile);
const denoArgs = [
  "test",
  "-A",
  "--permit-no-files",
  ...denoFlags,
  // Markdown and plain modules only have doc examples (run above).
  ...paths.filter((p) =>
    !fs.existsSync(p) || fs.statSync(p).isDirectory() ||
    /(^|[/\\._])test\.[cm]?[jt]sx?$/.test(p)
  ),
  ...[...runners.keys()].map((name) => path.join(TMP, name)),
];
console.log(
  `run_tests: deno test on ${paths.join(" ")} + ${exampleCount} doc examples ` +
    `from ${groups.size} groups; time limit ${limitS} s per test`,
);
const t0 = performance.now();
const child = spawn(process.execPath, denoArgs, {
  cwd: ROOT,
  env: { ...process.env, NO_COLOR: "1" },
  stdio: ["ignore", "pipe", "pipe"],
});

interface FileResult {
  label: string;
  started: number;
  passed: number;
  failed: number;
  ignored: number;
  steps: number;
}
let file: FileResult | undefined;
const files: FileResult[] = [];
/** The tests and steps running now, outermost first, by indentation. */
let running: string[] = [];
let lastProgress = performance.now();
let phase: "check" | "tests" | "report" = "check";
let checkSecs = 0;
const report: string[] = [];
const early: string[] = [];
let timedOut = "";

const labelOf = (spec: string): string => {
  const base = path.basename(spec);
  return runners.get(base) ?? spec.replace(/^\.\//, "");
};

function closeFile(): void {
  if (file === undefined) return;
  const secs = ((performance.now() - file.started) / 1000).toFixed(1);
  if (timedOut) file.failed++;
  const counts = [
    `${file.passed} passed${file.steps ? ` (${file.steps} steps)` : ""}`,
    file.failed ? `${file.failed} failed` : "",
    file.ignored ? `${file.ignored} ignored` : "",
  ].filter(Boolean).join(", ");
  console.log(
    `${file.failed ? "FAIL" : "ok  "} ${file.label.padEnd(56)} ${
      counts.padEnd(26)
    } ${secs.padStart(5)} s`,
  );
  file = undefined;
}

function onLine(line: string): void {
  log.write(line + "\n");
  if (phase === "report") {
    report.push(line);
    return;
  }
  const start = /^running \d+ tests? from (.+)$/.exec(line);
  if (start) {
    closeFile();
    if (phase === "check") checkSecs = (performance.now() - t0) / 1000;
    phase = "tests";
    file = {
      label: labelOf(start[1]!),
      started: performance.now(),
      passed: 0,
      failed: 0,
      ignored: 0,
      steps: 0,
    };
    files.push(file);
    running = [];
    lastProgress = performance.now();
    return;
  }
  if (/^ ERRORS $/.test(line) || /^(ok|FAILED) \| \d+ passed/.test(line)) {
    closeFile();
    phase = "report";
    report.push(line);
    return;
  }
  if (phase === "check") {
    early.push(line);
    return;
  }
  const m = /^( *)(.*) \.\.\.(?: (ok|FAILED|ignored)\b.*)?$/.exec(line);
  if (m === null || file === undefined) return;
  const depth = m[1]!.length / 2;
  const result = m[3];
  lastProgress = performance.now();
  if (result === undefined) {
    running = [...running.slice(0, depth), m[2]!];
    return;
  }
  running = running.slice(0, depth);
  if (depth > 0) {
    if (result === "ok") file.steps++;
    return;
  }
  if (result === "ok") file.passed++;
  else if (result === "FAILED") file.failed++;
  else file.ignored++;
}

const watchdog = setInterval(() => {
  if (phase !== "tests" || file === undefined) return;
  const idle = (performance.now() - lastProgress) / 1000;
  if (idle < limitS) return;
  const where = running.length > 0
    ? `${file.label} > ${running.join(" > ")}`
    : `${file.label} (loading the module or between tests)`;
  timedOut = `TIME LIMIT: ${where}: no progress for ${limitS} s ` +
    `(a livelock, or a timer or interval that keeps the event loop alive)`;
  child.kill("SIGKILL");
}, 1000);

/**
 * Feeds complete lines to `onLine`. Deno prints a test's name (`name ...`)
 * when it starts and the result on the same line when it ends, so an
 * unfinished last line names the test running now.
 */
function lines(stream: Readable): Promise<void> {
  let buffer = "";
  stream.setEncoding("utf8");
  stream.on("data", (chunk: string) => {
    buffer += chunk;
    const parts = buffer.split("\n");
    buffer = parts.pop()!;
    parts.forEach(onLine);
    const started = /^( *)(.*) \.\.\.$/.exec(buffer);
    if (started && phase === "tests") {
      const depth = started[1]!.length / 2;
      running = [...running.slice(0, depth), started[2]!];
    }
  });
  return new Promise((resolve) =>
    stream.on("end", () => {
      if (buffer) onLine(buffer);
      resolve();
    })
  );
}
const drained = Promise.all([lines(child.stdout!), lines(child.stderr!)]);
const code = await new Promise<number>((resolve) => {
  child.on("error", (e) => {
    console.error(`run_tests: cannot run ${process.execPath}: ${e.message}`);
    resolve(1);
  });
  child.on("close", (c) => resolve(c ?? 1));
});
await drained;
clearInterval(watchdog);
closeFile();
await new Promise((r) => log.end(r));

if (timedOut) {
  console.log(`\n${timedOut}`);
  console.log(`run_tests: the run was stopped; full report: ${logFile}`);
  process.exit(1);
}
if (files.length === 0 && code !== 0) {
  // Type errors or a module that failed to load before any test ran.
  console.log(early.join("\n"));
}
const closing = report.filter((l) =>
  !/^Stack backtrace:$|^\s+\d+: <unknown>$/.test(l)
);
// Deno's ERRORS/FAILURES sections (failures in full) and its totals line.
if (closing.length > 0) console.log(closing.join("\n").trimEnd());
const secs = ((performance.now() - t0) / 1000).toFixed(1);
if (code === 0) fs.rmSync(logFile, { force: true });
console.log(
  `run_tests: ${files.length} files in ${secs} s (start-up and type check ${
    checkSecs.toFixed(1)
  } s)${code === 0 ? "" : `; full report: ${logFile}`}`,
);
process.exit(code);

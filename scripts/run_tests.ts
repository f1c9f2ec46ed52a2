/**
 * `deno task test [paths...] [deno test flags...]`: the test suite with its
 * doc examples, one line per test file, failures in full, and the totals.
 *
 * - Runs the test files under `paths` (default: the whole repository) and
 *   the code blocks `deno test --doc` would run (JSDoc of the modules under
 *   `paths`, Markdown files such as README.md). The blocks become modules the
 *   way Deno makes them (scripts/_doc_examples.ts), grouped one per area
 *   (`src/<area>`, `mod.ts`, `README.md`) instead of one process each.
 * - Type-checks everything once, in one `deno check` program, then runs
 *   `deno test -A --no-check` in `--jobs=<n>` processes at a time (default:
 *   2, or 1 on one core), the files shared out by the durations of the
 *   previous run.
 * - Prints one line per file (`ok` or `FAIL`, counts, seconds), then Deno's
 *   ERRORS and FAILURES sections unchanged, then the totals in Deno's form.
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
import { collect } from "./npm_tools/node_test_run.ts";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const DOC_EXTENSIONS = /\.(ts|tsx|mts|js|mjs|md)$/;
const SKIP_DIRS = new Set(["node_modules", "npm", ".git", ".coverage"]);

// ---------------------------------------------------------------- options

const args = process.argv.slice(2);
let limitS = Number(process.env.PLEDGE_TEST_TIME_LIMIT_S ?? 60);
let jobs = Math.min(2, os.availableParallelism());
const denoFlags: string[] = [];
const paths: string[] = [];
for (const a of args) {
  const limit = /^--time-limit=(\d+(?:\.\d+)?)$/.exec(a);
  const parallel = /^--jobs=(\d+)$/.exec(a);
  if (limit) limitS = Number(limit[1]);
  else if (parallel) jobs = Math.max(1, Number(parallel[1]));
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

/** The files under `start` (or `start` itself) whose path matches `name`. */
function filesUnder(start: string, name: RegExp): string[] {
  const abs = path.resolve(start);
  if (!fs.existsSync(abs) || isExcluded(abs)) return [];
  if (fs.statSync(abs).isFile()) return name.test(abs) ? [abs] : [];
  const out: string[] = [];
  for (const entry of fs.readdirSync(abs, { withFileTypes: true })) {
    if (entry.name.startsWith(".") || SKIP_DIRS.has(entry.name)) continue;
    out.push(...filesUnder(path.join(abs, entry.name), name));
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
for (
  const file of new Set(paths.flatMap((p) => filesUnder(p, DOC_EXTENSIONS)))
) {
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

// ------------------------------------------------------------ test files

/** What `deno test` takes for a test module. */
const TEST_FILE = /(?:^|[/\\._])test\.(?:ts|tsx|mts|js|mjs|jsx)$/;
const modules = [
  ...new Set(paths.flatMap((p) => filesUnder(p, TEST_FILE))),
  ...[...runners.keys()].map((name) => path.join(TMP, name)),
];
const labelOf = (file: string): string =>
  runners.get(path.basename(file)) ?? rel(path.resolve(ROOT, file));

console.log(
  `run_tests: ${modules.length - runners.size} test files and ` +
    `${exampleCount} doc examples (${runners.size} groups), ${jobs} at a ` +
    `time; time limit ${limitS} s per test`,
);
const t0 = performance.now();
const logFile = path.join(os.tmpdir(), `pledge-test-${process.pid}.log`);
const log = fs.createWriteStream(logFile);

// One type-check program for every test file and doc example, then the
// runs without checking again.
let checkSecs = 0;
if (!denoFlags.some((f) => f.startsWith("--no-check")) && modules.length > 0) {
  const checked = await collect(process.execPath, ["check", ...modules], {
    cwd: ROOT,
  });
  log.write(checked.out);
  checkSecs = (performance.now() - t0) / 1000;
  if (checked.code !== 0) {
    console.log(
      checked.out.split("\n").filter((l) =>
        !/^Check |^Stack backtrace:$|^\s+\d+: <unknown>$/.test(l)
      ).join("\n").trimEnd(),
    );
    console.log(`run_tests: type check failed (${checkSecs.toFixed(1)} s)`);
    process.exit(1);
  }
}

// ------------------------------------------------------------ deno test

// Shards balanced by the durations of the previous run (longest first).
const DURATIONS = path.join(TMP, "durations.json");
const known: Record<string, number> = fs.existsSync(DURATIONS)
  ? JSON.parse(fs.readFileSync(DURATIONS, "utf8"))
  : {};
const shards: { files: string[]; load: number }[] = Array.from(
  { length: Math.max(1, Math.min(jobs, modules.length)) },
  () => ({ files: [], load: 0 }),
);
for (
  const file of [...modules].sort((a, b) =>
    (known[labelOf(b)] ?? 0.5) - (known[labelOf(a)] ?? 0.5)
  )
) {
  const shard = shards.reduce((m, s) => (s.load < m.load ? s : m));
  shard.files.push(file);
  shard.load += known[labelOf(file)] ?? 0.5;
}

interface FileResult {
  label: string;
  started: number;
  secs: number;
  passed: number;
  failed: number;
  ignored: number;
  steps: number;
}
const files: FileResult[] = [];
const counts = { passed: 0, failed: 0, ignored: 0, filtered: 0 };
const stepCounts = { passed: 0, failed: 0, ignored: 0 };
const reports: string[][] = [];
let timedOut = "";

/** One `deno test` process and what its pretty report says so far. */
class Shard {
  file: FileResult | undefined;
  /** The tests and steps running now, outermost first, by indentation. */
  running: string[] = [];
  lastProgress = performance.now();
  phase: "start" | "tests" | "report" = "start";
  report: string[] = [];
  child: ReturnType<typeof spawn> | undefined;

  closeFile(): void {
    const file = this.file;
    if (file === undefined) return;
    file.secs = (performance.now() - file.started) / 1000;
    if (timedOut && this.running.length > 0) file.failed++;
    const summary = [
      `${file.passed} passed${
        file.steps ? ` (${file.steps} step${file.steps === 1 ? "" : "s"})` : ""
      }`,
      file.failed ? `${file.failed} failed` : "",
      file.ignored ? `${file.ignored} ignored` : "",
    ].filter(Boolean).join(", ");
    console.log(
      `${file.failed ? "FAIL" : "ok  "} ${file.label.padEnd(56)} ${
        summary.padEnd(26)
      } ${file.secs.toFixed(1).padStart(5)} s`,
    );
    this.file = undefined;
  }

  onLine(line: string): void {
    log.write(line + "\n");
    if (this.phase === "report") {
      this.report.push(line);
      this.totals(line);
      return;
    }
    const start = /^running \d+ tests? from (.+)$/.exec(line);
    if (start) {
      this.closeFile();
      this.phase = "tests";
      this.file = {
        label: labelOf(start[1]!),
        started: performance.now(),
        secs: 0,
        passed: 0,
        failed: 0,
        ignored: 0,
        steps: 0,
      };
      files.push(this.file);
      this.running = [];
      this.lastProgress = performance.now();
      return;
    }
    if (/^ ERRORS $/.test(line) || /^(ok|FAILED) \| \d+ passed/.test(line)) {
      this.closeFile();
      this.phase = "report";
      this.report.push(line);
      this.totals(line);
      return;
    }
    const file = this.file;
    const m = /^( *)(.*) \.\.\.(?: (ok|FAILED|ignored)\b.*)?$/.exec(line);
    if (m === null || file === undefined) {
      if (this.phase === "start") this.report.push(line);
      return;
    }
    const depth = m[1]!.length / 2;
    const result = m[3];
    this.lastProgress = performance.now();
    if (result === undefined) {
      this.running = [...this.running.slice(0, depth), m[2]!];
      return;
    }
    this.running = this.running.slice(0, depth);
    if (depth > 0) {
      if (result === "ok") file.steps++;
      return;
    }
    if (result === "ok") file.passed++;
    else if (result === "FAILED") file.failed++;
    else file.ignored++;
  }

  /** Adds the counts of Deno's closing line. */
  totals(line: string): void {
    if (!/^(ok|FAILED) \| /.test(line)) return;
    for (const part of line.split(" | ").slice(1)) {
      const n =
        /^(\d+) (passed|failed|ignored|filtered out)(?: \((\d+) steps?\))?/
          .exec(part);
      if (n === null) continue;
      const key = n[2] === "filtered out" ? "filtered" : n[2] as "passed";
      counts[key] += Number(n[1]);
      if (n[3] !== undefined && key !== "filtered") {
        stepCounts[key] += Number(n[3]);
      }
    }
  }

  /**
   * Feeds complete lines to `onLine`. Deno prints a test's name
   * (`name ...`) when it starts and the result on the same line when it
   * ends, so an unfinished last line names the test running now.
   */
  lines(stream: Readable): Promise<void> {
    let buffer = "";
    stream.setEncoding("utf8");
    stream.on("data", (chunk: string) => {
      buffer += chunk;
      const parts = buffer.split("\n");
      buffer = parts.pop()!;
      parts.forEach((l) => this.onLine(l));
      const started = /^( *)(.*) \.\.\.$/.exec(buffer);
      if (started && this.phase === "tests") {
        const depth = started[1]!.length / 2;
        this.running = [...this.running.slice(0, depth), started[2]!];
      }
    });
    return new Promise((resolve) =>
      stream.on("end", () => {
        if (buffer) this.onLine(buffer);
        resolve();
      })
    );
  }

  async run(shardFiles: string[]): Promise<number> {
    const child = spawn(process.execPath, [
      "test",
      "-A",
      "--no-check",
      "--permit-no-files",
      ...denoFlags.filter((f) => !f.startsWith("--no-check")),
      ...shardFiles,
    ], {
      cwd: ROOT,
      env: { ...process.env, NO_COLOR: "1" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    this.child = child;
    this.lastProgress = performance.now();
    const drained = Promise.all([
      this.lines(child.stdout!),
      this.lines(child.stderr!),
    ]);
    const code = await new Promise<number>((resolve) => {
      child.on("error", () => resolve(1));
      child.on("close", (c) => resolve(c ?? 1));
    });
    await drained;
    this.closeFile();
    reports.push(this.report);
    return code;
  }
}

const running = shards.map(() => new Shard());
const watchdog = setInterval(() => {
  for (const shard of running) {
    if (shard.phase === "report" || timedOut) continue;
    if ((performance.now() - shard.lastProgress) / 1000 < limitS) continue;
    const where = shard.file === undefined
      ? "before any test ran: the top-level code of a test module"
      : shard.running.length > 0
      ? `${shard.file.label} > ${shard.running.join(" > ")}`
      : `${shard.file.label}, after its last test (the next module loading, ` +
        "or a timer or interval left by this one)";
    timedOut = `TIME LIMIT: ${where}: no progress for ${limitS} s ` +
      `(a livelock, or a timer or interval that keeps the event loop alive)`;
    for (const s of running) s.child?.kill("SIGKILL");
  }
}, 1000);
const codes = await Promise.all(
  running.map((shard, i) => shard.run(shards[i]!.files)),
);
clearInterval(watchdog);
await new Promise((r) => log.end(r));

if (!timedOut) {
  for (const f of files) known[f.label] = Math.round(f.secs * 10) / 10;
  fs.writeFileSync(DURATIONS, JSON.stringify(known, null, 1));
}
const failed = timedOut !== "" || codes.some((c) => c !== 0);
if (timedOut) console.log(`\n${timedOut}`);
// Deno's ERRORS and FAILURES sections (failures in full), without its
// closing lines, which the combined totals below replace.
for (const report of reports) {
  const text = report.filter((l) =>
    !/^(ok|FAILED) \| |^error: Test failed$|^Stack backtrace:$|^\s+\d+: <unknown>$/
      .test(l)
  ).join("\n").trim();
  if (text) console.log(`\n${text}`);
}
const secs = (performance.now() - t0) / 1000;
const part = (n: number, what: string, steps = 0): string =>
  `${n} ${what}${steps ? ` (${steps} step${steps === 1 ? "" : "s"})` : ""}`;
console.log(
  [
    `\n${failed ? "FAILED" : "ok"}`,
    part(counts.passed, "passed", stepCounts.passed),
    part(counts.failed, "failed", stepCounts.failed),
    ...(counts.ignored
      ? [part(counts.ignored, "ignored", stepCounts.ignored)]
      : []),
    ...(counts.filtered ? [`${counts.filtered} filtered out`] : []),
  ].join(" | ") + ` (${Math.round(secs)}s)`,
);
if (!failed) fs.rmSync(logFile, { force: true });
console.log(
  `run_tests: ${files.length} files in ${secs.toFixed(1)} s (type check ${
    checkSecs.toFixed(1)
  } s)${failed ? `; full report: ${logFile}` : ""}`,
);
process.exit(failed ? 1 : 0);

/**
 * Process helpers shared by scripts/build_npm.ts, check_npm.ts and
 * run_tests.ts: a bounded job pool, a command's collected output, and one
 * `node --test` run summarised from its spec report.
 *
 * @module
 */

import { spawn } from "node:child_process";
import fs from "node:fs";
import process from "node:process";

/** A finished command: its exit code and its stdout and stderr, together. */
export interface Collected {
  /** The exit code (127 when it could not start). */
  code: number;
  /** stdout and stderr, interleaved as they came. */
  out: string;
}

/** Runs a command without colours and collects its output. */
export function collect(
  cmd: string,
  args: string[],
  opts: { cwd: string; env?: Record<string, string> },
): Promise<Collected> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, {
      cwd: opts.cwd,
      env: { ...process.env, NO_COLOR: "1", ...opts.env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (out += d));
    child.on("error", (e) => resolve({ code: 127, out: String(e) }));
    child.on("close", (code) => resolve({ code: code ?? 1, out }));
  });
}

/** Runs the jobs at most `limit` at a time; results in job order. */
export async function pool<T>(
  limit: number,
  jobs: (() => Promise<T>)[],
): Promise<T[]> {
  const results: T[] = new Array(jobs.length);
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) {
      const i = next++;
      results[i] = await jobs[i]!();
    }
  };
  const workers = Math.min(limit, jobs.length);
  await Promise.all(Array.from({ length: workers }, worker));
  return results;
}

/** The outcome of one `node --test` run. */
export interface NodeTestRun {
  /** The exit code (1 when killed). */
  code: number;
  /** The spec reporter's closing counts: tests, pass, fail, skipped... */
  counts: Record<string, number>;
  /** The spec report, or "" when the run wrote none. */
  report: string;
}

/**
 * Runs `files` under `node --test`, one file at a time (the machine has 2
 * cores and timing-sensitive suites share it), writing the spec report to
 * `log`. A run still going after `limitS` seconds is killed: each test has
 * its own limit (the shim's), this catches a process that never exits,
 * e.g. kept alive by a leaked host timer.
 */
export function nodeTestRun(
  node: string,
  files: string[],
  options: { cwd: string; log: string; limitS: number },
): Promise<NodeTestRun> {
  const child = spawn(node, [
    "--test",
    "--test-concurrency=1",
    "--test-reporter=spec",
    `--test-reporter-destination=${options.log}`,
    ...files,
  ], { cwd: options.cwd, stdio: ["ignore", "inherit", "inherit"] });
  const killer = setTimeout(() => {
    console.log(`${node} --test: killed after ${options.limitS} s`);
    child.kill("SIGKILL");
  }, options.limitS * 1000);
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(killer);
      const report = fs.existsSync(options.log)
        ? fs.readFileSync(options.log, "utf8")
        : "";
      const counts: Record<string, number> = {};
      for (const m of report.matchAll(/^\u2139 (\w+) (\d+)$/gm)) {
        counts[m[1]!] = Number(m[2]);
      }
      resolve({ code: code ?? 1, counts, report });
    });
  });
}

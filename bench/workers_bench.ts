/**
 * Worker pool benchmarks, every pool with 2 workers, started and warmed at
 * module top (startup is not measured), running the same task module
 * (bench/fixtures/worker_tasks.mjs).
 *
 * - `workers: 10,000 tiny tasks`: 10,000 `x => x + 1` tasks, every result
 *   collected with `Promise.all`: `WorkerPool.run` against piscina@5.3.2
 *   (baseline), tinypool@2.2.0 and workerpool@10.0.3. The cost is per
 *   task: messages, cloning, bookkeeping.
 * - `workers: 16 CPU-bound tasks`: 16 equal `fib(30)`, against the same
 *   work on the main thread (baseline) and piscina. On 2 idle cores the
 *   limit is a 2x speed-up.
 *
 * The same comparison under Node, against the built package:
 * `node bench/workers_node.mjs` (after `deno task build:npm`).
 *
 * Run: `deno bench -A --no-check bench/workers_bench.ts`
 *
 * @module
 */

import { WorkerPool } from "@pledge/core/workers";
import { Piscina } from "piscina";
import Tinypool from "tinypool";
import workerpool from "workerpool";
import { fib } from "./fixtures/worker_tasks.mjs";

const TASKS = new URL("./fixtures/worker_tasks.mjs", import.meta.url);
const WORKERPOOL_SCRIPT = new URL(
  "./fixtures/workerpool_worker.mjs",
  import.meta.url,
);
const SIZE = 2;
const TINY = 10_000;
const EXPECTED_SUM = (TINY * (TINY + 1)) / 2;
// 16 equal CPU-bound tasks: fib(30) takes 10-20 ms on this machine.
const JOBS: number[] = Array.from({ length: 16 }, () => 30);
const FIB_SUM = fib(30) * JOBS.length;

const pledge = new WorkerPool<{
  add1(x: number): number;
  fib(n: number): number;
}>({ module: TASKS, size: SIZE });
const piscina = new Piscina({
  filename: TASKS.href,
  minThreads: SIZE,
  maxThreads: SIZE,
});
const tinypool = new Tinypool({
  filename: TASKS.href,
  minThreads: SIZE,
  maxThreads: SIZE,
});
const wpool = workerpool.pool(WORKERPOOL_SCRIPT.pathname, {
  minWorkers: SIZE,
  maxWorkers: SIZE,
  workerType: "thread",
});

function check(results: number[]): void {
  let sum = 0;
  for (let i = 0; i < results.length; i++) sum += results[i]!;
  if (results.length !== TINY || sum !== EXPECTED_SUM) {
    throw new Error("bad result");
  }
}

function checkFib(values: number[]): void {
  if (values.reduce((a, b) => a + b, 0) !== FIB_SUM) {
    throw new Error("bad value");
  }
}

type Run = (i: number) => Promise<number>;
const runs: Record<string, Run> = {
  pledge: (i) => pledge.run("add1", i),
  piscina: (i) => piscina.run(i),
  tinypool: (i) => tinypool.run(i),
  workerpool: (i) => wpool.exec("add1", [i]) as unknown as Promise<number>,
};

function tiny(run: Run): Promise<number[]> {
  const results: Promise<number>[] = new Array(TINY);
  for (let i = 0; i < TINY; i++) results[i] = run(i);
  return Promise.all(results);
}

// Start every worker and let the JIT see the tasks.
for (const run of Object.values(runs)) check(await tiny(run));
checkFib(await Promise.all(JOBS.map((n) => pledge.run("fib", n))));
checkFib(await Promise.all(JOBS.map((n) => piscina.run(n, { name: "fib" }))));

const TINY_GROUP = "workers: 10,000 tiny tasks";
for (
  const [name, run, baseline] of [
    ["piscina@5.3.2 run + Promise.all", runs.piscina!, true],
    ["tinypool@2.2.0 run + Promise.all", runs.tinypool!, false],
    ["workerpool@10.0.3 exec + Promise.all", runs.workerpool!, false],
    ["WorkerPool.run + Promise.all", runs.pledge!, false],
  ] as const
) {
  Deno.bench({
    name,
    group: TINY_GROUP,
    baseline,
    n: 20,
    warmup: 5,
  }, async () => check(await tiny(run)));
}

const CPU_GROUP = "workers: 16 CPU-bound tasks";
Deno.bench({
  name: "main thread, one after another",
  group: CPU_GROUP,
  baseline: true,
  n: 5,
  warmup: 1,
}, () => checkFib(JOBS.map(fib)));

Deno.bench({
  name: "piscina@5.3.2, 2 workers",
  group: CPU_GROUP,
  n: 5,
  warmup: 1,
}, async () => {
  checkFib(
    await Promise.all(JOBS.map((n) => piscina.run(n, { name: "fib" }))),
  );
});

Deno.bench({
  name: "WorkerPool, 2 workers",
  group: CPU_GROUP,
  n: 5,
  warmup: 1,
}, async () => {
  checkFib(await Promise.all(JOBS.map((n) => pledge.run("fib", n))));
});

// Stop every pool once the benchmarks have run.
globalThis.addEventListener("unload", () => {
  pledge.terminate();
  piscina.destroy();
  tinypool.destroy();
  wpool.terminate(true);
});

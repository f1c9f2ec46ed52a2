/**
 * Worker pool benchmarks, every pool with 2 workers, started and warmed at
 * module top (startup is not measured), running the same task module
 * (bench/fixtures/worker_tasks.mjs; the pools: bench/fixtures/pools.mjs).
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
 * `node bench/workers_node.mjs` (after `deno task build:npm --skip-test`).
 *
 * Run: `deno bench -A --no-check bench/workers_bench.ts`
 *
 * @module
 */

import { WorkerPool } from "@pledge/core/workers";
import { openPools } from "./fixtures/pools.mjs";
import { fib } from "./fixtures/worker_tasks.mjs";

type Task = (x: number) => Promise<number>;

const TINY = 10_000;
const EXPECTED_SUM = (TINY * (TINY + 1)) / 2;
// 16 equal CPU-bound tasks: fib(30) takes 10-20 ms on this machine.
const JOBS: number[] = Array.from({ length: 16 }, () => 30);
const FIB_SUM = fib(30) * JOBS.length;

const pools = openPools(WorkerPool);
const add1 = pools.add1 as Record<string, Task>;
const fibs = pools.fib as Record<string, Task>;

function tiny(run: Task): Promise<number[]> {
  const results: Promise<number>[] = new Array(TINY);
  for (let i = 0; i < TINY; i++) results[i] = run(i);
  return Promise.all(results);
}

async function checkTiny(results: Promise<number[]>): Promise<void> {
  let sum = 0;
  for (const x of await results) sum += x;
  if (sum !== EXPECTED_SUM) throw new Error("bad result");
}

async function checkFib(values: number[] | Promise<number[]>): Promise<void> {
  if ((await values).reduce((a, b) => a + b, 0) !== FIB_SUM) {
    throw new Error("bad value");
  }
}

// Start every worker and let the JIT see the tasks.
for (const run of Object.values(add1)) await checkTiny(tiny(run));
for (const run of Object.values(fibs)) {
  await checkFib(Promise.all(JOBS.map(run)));
}

for (const [name, baseline] of Object.keys(add1).map((n, i) => [n, i === 0])) {
  Deno.bench({
    name: `${name}, Promise.all`,
    group: "workers: 10,000 tiny tasks",
    baseline: baseline as boolean,
    n: 20,
    warmup: 5,
  }, async () => await checkTiny(tiny(add1[name as string]!)));
}

const CPU_GROUP = "workers: 16 CPU-bound tasks";
Deno.bench({
  name: "main thread, one after another",
  group: CPU_GROUP,
  baseline: true,
  n: 5,
  warmup: 1,
}, async () => await checkFib(JOBS.map(fib)));
for (const [name, run] of Object.entries(fibs)) {
  Deno.bench({
    name: `${name}, 2 workers`,
    group: CPU_GROUP,
    n: 5,
    warmup: 1,
  }, async () => await checkFib(Promise.all(JOBS.map(run))));
}

// Stop every pool once the benchmarks have run.
globalThis.addEventListener("unload", () => void pools.close().catch(() => {}));

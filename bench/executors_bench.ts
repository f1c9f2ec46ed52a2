/**
 * Executor benchmarks.
 *
 * - `submit-10k-c8`: 10,000 trivially async tasks through a limiter of
 *   concurrency 8, every result collected: `PooledExecutor.submit` against
 *   `p-limit@7.3.3` (baseline) and `p-queue@10.0.0`. The pledge case is run
 *   twice: collecting with `Promise.all` (what p-limit and p-queue users
 *   write), and waiting with `onIdle()` then reading each future's `value`
 *   synchronously (what a `Future` allows).
 * - `delayed-100k`: scheduling and running 100,000 tasks with a 0 ms delay
 *   on the system clock: `DelayedExecutor.schedule` against 100,000 raw
 *   `setTimeout` calls (baseline).
 *
 * Run: `deno bench -A --no-check bench/executors_bench.ts`
 *
 * @module
 */

import { DelayedExecutor, type Future, PooledExecutor } from "@pledge/core";
import pLimit from "p-limit";
import PQueue from "p-queue";

const TASKS = 10_000;
const CONCURRENCY = 8;
const items = Array.from({ length: TASKS }, (_, i) => i);
// The trivially async task of the research baselines.
// deno-lint-ignore require-await
const task = async (x: number): Promise<number> => x;
const EXPECTED_SUM = (TASKS * (TASKS - 1)) / 2;

function check(results: number[]): void {
  let sum = 0;
  for (let i = 0; i < results.length; i++) sum += results[i]!;
  if (results.length !== TASKS || sum !== EXPECTED_SUM) {
    throw new Error("bad result");
  }
}

Deno.bench({
  name: "p-limit@7.3.3 + Promise.all",
  group: "submit-10k-c8",
  baseline: true,
}, async () => {
  const limit = pLimit(CONCURRENCY);
  check(await Promise.all(items.map((x) => limit(() => task(x)))));
});

Deno.bench({
  name: "p-queue@10.0.0 add + Promise.all",
  group: "submit-10k-c8",
}, async () => {
  const queue = new PQueue({ concurrency: CONCURRENCY });
  check(await Promise.all(items.map((x) => queue.add(() => task(x)))));
});

Deno.bench({
  name: "PooledExecutor.submit + Promise.all",
  group: "submit-10k-c8",
}, async () => {
  const pool = new PooledExecutor({ concurrency: CONCURRENCY });
  check(await Promise.all(items.map((x) => pool.submit(() => task(x)))));
});

Deno.bench({
  name: "PooledExecutor.submit + onIdle + value",
  group: "submit-10k-c8",
}, async () => {
  const pool = new PooledExecutor({ concurrency: CONCURRENCY });
  const futures: Future<number>[] = new Array(TASKS);
  for (let i = 0; i < TASKS; i++) {
    const x = items[i]!;
    futures[i] = pool.submit(() => task(x));
  }
  await pool.onIdle();
  const results: number[] = new Array(TASKS);
  for (let i = 0; i < TASKS; i++) results[i] = futures[i]!.value;
  check(results);
});

// --- delayed-100k: schedule + run 100,000 zero-delay tasks, system clock.

const TIMERS = 100_000;

Deno.bench({
  name: "100k raw setTimeout(fn, 0)",
  group: "delayed-100k",
  baseline: true,
}, async () => {
  let ran = 0;
  await new Promise<void>((resolve) => {
    const fn = () => {
      if (++ran === TIMERS) resolve();
    };
    for (let i = 0; i < TIMERS; i++) setTimeout(fn, 0);
  });
  if (ran !== TIMERS) throw new Error("bad result");
});

Deno.bench({
  name: "100k DelayedExecutor.schedule(fn, 0)",
  group: "delayed-100k",
}, async () => {
  const delayed = new DelayedExecutor();
  let ran = 0;
  await new Promise<void>((resolve) => {
    const fn = () => {
      if (++ran === TIMERS) resolve();
    };
    for (let i = 0; i < TIMERS; i++) delayed.schedule(fn, 0);
  });
  if (ran !== TIMERS || delayed.queued !== 0) throw new Error("bad result");
});

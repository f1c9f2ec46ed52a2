/**
 * Combinator benchmarks.
 *
 * - `map-10k-c8`: 10,000 trivially async tasks at concurrency 8, every
 *   result collected: `mapConcurrent` against `p-map@7.1.1` (baseline) and a
 *   15-line worker loop (the "physical limit" of the research notes).
 * - `timeout-settled-1k`: 1,000 sequential `await`s of a resolved promise
 *   bounded by a 10 s timeout: `timeout` (thenable form, and task form)
 *   against `p-timeout@8.0.0` (baseline) and a bare `await` (the floor).
 *   Per call = time / 1,000.
 * - `all-1k-resolved`: `all` over 1,000 fulfilled futures against native
 *   `Promise.all` over 1,000 fulfilled promises (baseline).
 * - `any-1k-last-fulfils`: `any` over 999 rejected inputs and a fulfilled
 *   last one, against native `Promise.any` (baseline).
 * - `race-1k-resolved`: `race` over 1,000 fulfilled inputs against native
 *   `Promise.race` (baseline).
 *
 * Run: `deno bench -A --no-check bench/combinators_bench.ts`
 *
 * @module
 */

import { all, any, Future, mapConcurrent, race, timeout } from "@pledge/core";
import pMap from "p-map";
import pTimeout from "p-timeout";

// --- map-10k-c8 -------------------------------------------------------------

const TASKS = 10_000;
const CONCURRENCY = 8;
const items = Array.from({ length: TASKS }, (_, i) => i);
// The trivially async task of the research baselines.
// deno-lint-ignore require-await
const task = async (x: number): Promise<number> => x;
const EXPECTED_SUM = (TASKS * (TASKS - 1)) / 2;

function checkSum(results: number[], length: number, sum: number): void {
  let total = 0;
  for (let i = 0; i < results.length; i++) total += results[i]!;
  if (results.length !== length || total !== sum) throw new Error("bad result");
}

async function workerPool<T, R>(
  input: T[],
  fn: (x: T) => Promise<R>,
  concurrency: number,
): Promise<R[]> {
  const out = new Array<R>(input.length);
  let next = 0;
  const worker = async () => {
    for (let i; (i = next++) < input.length;) out[i] = await fn(input[i]!);
  };
  await Promise.all(
    Array.from({ length: Math.min(concurrency, input.length) }, worker),
  );
  return out;
}

Deno.bench({
  name: "p-map@7.1.1",
  group: "map-10k-c8",
  baseline: true,
}, async () => {
  checkSum(
    await pMap(items, task, { concurrency: CONCURRENCY }),
    TASKS,
    EXPECTED_SUM,
  );
});

Deno.bench({ name: "mapConcurrent", group: "map-10k-c8" }, async () => {
  checkSum(
    await mapConcurrent(items, task, { concurrency: CONCURRENCY }),
    TASKS,
    EXPECTED_SUM,
  );
});

Deno.bench({
  name: "worker loop (15 lines, no signal)",
  group: "map-10k-c8",
}, async () => {
  checkSum(await workerPool(items, task, CONCURRENCY), TASKS, EXPECTED_SUM);
});

// --- timeout-settled-1k -----------------------------------------------------

const CALLS = 1_000;
const LIMIT_MS = 10_000;
const resolved = Promise.resolve(1);
const resolvedTask = (): Promise<number> => resolved;

Deno.bench({
  name: "p-timeout@8.0.0",
  group: "timeout-settled-1k",
  baseline: true,
}, async () => {
  let sum = 0;
  for (let i = 0; i < CALLS; i++) {
    sum += await pTimeout(resolved, { milliseconds: LIMIT_MS });
  }
  if (sum !== CALLS) throw new Error("bad result");
});

Deno.bench({
  name: "timeout(promise)",
  group: "timeout-settled-1k",
}, async () => {
  let sum = 0;
  for (let i = 0; i < CALLS; i++) sum += await timeout(resolved, LIMIT_MS);
  if (sum !== CALLS) throw new Error("bad result");
});

Deno.bench({
  name: "timeout(task)",
  group: "timeout-settled-1k",
}, async () => {
  let sum = 0;
  for (let i = 0; i < CALLS; i++) sum += await timeout(resolvedTask, LIMIT_MS);
  if (sum !== CALLS) throw new Error("bad result");
});

Deno.bench({
  name: "bare await (floor)",
  group: "timeout-settled-1k",
}, async () => {
  let sum = 0;
  for (let i = 0; i < CALLS; i++) sum += await resolved;
  if (sum !== CALLS) throw new Error("bad result");
});

// --- all-1k-resolved --------------------------------------------------------

const N = 1_000;
const futures = Array.from({ length: N }, (_, i) => Future.resolve(i));
const promises = Array.from({ length: N }, (_, i) => Promise.resolve(i));
const EXPECTED_ALL = (N * (N - 1)) / 2;

Deno.bench({
  name: "Promise.all (native)",
  group: "all-1k-resolved",
  baseline: true,
}, async () => {
  checkSum(await Promise.all(promises), N, EXPECTED_ALL);
});

Deno.bench({ name: "all (futures)", group: "all-1k-resolved" }, async () => {
  checkSum(await all(futures), N, EXPECTED_ALL);
});

Deno.bench({ name: "all (promises)", group: "all-1k-resolved" }, async () => {
  checkSum(await all(promises), N, EXPECTED_ALL);
});

// --- any-1k-last-fulfils ----------------------------------------------------

const rejectedFutures = Array.from(
  { length: N },
  (_, i) => i === N - 1 ? Future.resolve(i) : Future.reject(new Error("no")),
);
const rejectedPromises = Array.from(
  { length: N },
  (_, i) => i === N - 1 ? Promise.resolve(i) : Promise.reject(new Error("no")),
);
for (const p of rejectedFutures) p.then(undefined, () => {});
for (const p of rejectedPromises) p.then(undefined, () => {});

Deno.bench({
  name: "Promise.any (native)",
  group: "any-1k-last-fulfils",
  baseline: true,
}, async () => {
  if ((await Promise.any(rejectedPromises)) !== N - 1) throw new Error("bad");
});

Deno.bench(
  { name: "any (futures)", group: "any-1k-last-fulfils" },
  async () => {
    if ((await any(rejectedFutures)) !== N - 1) throw new Error("bad");
  },
);

Deno.bench(
  { name: "any (promises)", group: "any-1k-last-fulfils" },
  async () => {
    if ((await any(rejectedPromises)) !== N - 1) throw new Error("bad");
  },
);

// --- race-1k-resolved -------------------------------------------------------

Deno.bench({
  name: "Promise.race (native)",
  group: "race-1k-resolved",
  baseline: true,
}, async () => {
  if ((await Promise.race(promises)) !== 0) throw new Error("bad");
});

Deno.bench({ name: "race (futures)", group: "race-1k-resolved" }, async () => {
  if ((await race(futures)) !== 0) throw new Error("bad");
});

Deno.bench({ name: "race (promises)", group: "race-1k-resolved" }, async () => {
  if ((await race(promises)) !== 0) throw new Error("bad");
});

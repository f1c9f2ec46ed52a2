// The comparison of bench/workers_bench.ts under Node, against the built
// package: `deno task build:npm --skip-test && node bench/workers_node.mjs
// [rounds]` (piscina, tinypool and workerpool come from the node_modules/
// that Deno fills from deno.json's pinned npm: imports; `deno install`).
//
// Every pool has 2 workers, is started and warmed first, and runs the same
// task module. Prints the median time of each case over the rounds and the
// ratios against the baselines (piscina for tiny tasks, the main thread for
// CPU-bound tasks).
import process from "node:process";
import fs from "node:fs";
import { openPools, SIZE } from "./fixtures/pools.mjs";
import { fib } from "./fixtures/worker_tasks.mjs";

const BUILT = new URL("../npm/esm/src/workers/mod.js", import.meta.url);
if (!fs.existsSync(BUILT)) {
  console.error(
    "bench/workers_node.mjs: run `deno task build:npm --skip-test` first",
  );
  process.exit(1);
}
const { WorkerPool } = await import(BUILT.href);

const ROUNDS = Number(process.argv[2] ?? 15);
const TINY = 10_000;
const JOBS = Array.from({ length: 16 }, () => 30);

const pools = openPools(WorkerPool);
const tiny = pools.add1;
const cpu = {
  "main thread": () => JOBS.map(fib),
  ...Object.fromEntries(
    Object.entries(pools.fib).map(([k, run]) => [
      k,
      () => Promise.all(JOBS.map(run)),
    ]),
  ),
};

async function runTiny(run) {
  const results = new Array(TINY);
  for (let i = 0; i < TINY; i++) results[i] = run(i);
  const out = await Promise.all(results);
  if (out[TINY - 1] !== TINY) throw new Error("bad result");
}

async function measure(cases, once) {
  const times = Object.fromEntries(Object.keys(cases).map((k) => [k, []]));
  for (const run of Object.values(cases)) await once(run); // warm up
  for (let r = 0; r < ROUNDS; r++) {
    // Interleaved, so that load from elsewhere hits every case alike.
    for (const [name, run] of Object.entries(cases)) {
      const t = performance.now();
      await once(run);
      times[name].push(performance.now() - t);
    }
  }
  const median = (xs) => xs.sort((a, b) => a - b)[xs.length >> 1];
  const range = (xs) =>
    `${xs[0].toFixed(1)}-${xs[xs.length - 1].toFixed(1)} ms`;
  return Object.fromEntries(
    Object.entries(times).map(([k, xs]) => [k, { median: median(xs), xs }])
      .map(([k, v]) => [k, { ...v, range: range(v.xs) }]),
  );
}

console.log(
  `node ${process.version}, ${SIZE} workers, ${ROUNDS} rounds, medians`,
);
const t = await measure(tiny, runTiny);
console.log(`\n10,000 tiny tasks (x => x + 1):`);
for (const [name, m] of Object.entries(t)) {
  console.log(`  ${name.padEnd(20)} ${m.median.toFixed(1)} ms (${m.range})`);
}
const p = t["pledge WorkerPool"].median;
for (const peer of ["piscina@5.3.2", "tinypool@2.2.0", "workerpool@10.0.3"]) {
  console.log(
    `  pledge is ${(t[peer].median / p).toFixed(1)}x faster than ${peer}`,
  );
}

const c = await measure(cpu, (run) => run());
console.log(`\n16 CPU-bound tasks (fib(30)):`);
for (const [name, m] of Object.entries(c)) {
  console.log(`  ${name.padEnd(20)} ${m.median.toFixed(1)} ms (${m.range})`);
}
const main = c["main thread"].median;
for (const name of ["pledge WorkerPool", "piscina@5.3.2"]) {
  console.log(
    `  ${name}: ${(main / c[name].median).toFixed(2)}x the main thread`,
  );
}

await pools.close();

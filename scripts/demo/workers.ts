import { mapReduce, PooledExecutor, WorkerPool } from "../../mod.ts";
import * as tasks from "../../tests/fixtures/worker_tasks.ts";

const LIMIT = 2_000_000;
const CHUNKS = 32;
const add = (sum: number, n: number) => sum + n;

/**
 * The map-reduce of the executor chapter, in parallel: the primes below
 * 2,000,000 counted in 32 chunks (map) and summed (reduce), first on the
 * main thread, then in a WorkerPool. Real time: this part measures real
 * work on real cores.
 */
export async function demo(): Promise<void> {
  const ranges = Array.from(
    { length: CHUNKS },
    (_, i): [number, number] => [
      Math.floor((i * LIMIT) / CHUNKS),
      Math.floor(((i + 1) * LIMIT) / CHUNKS),
    ],
  );

  // Concurrency is not parallelism: a PooledExecutor of 4 slots still runs
  // every chunk on this one thread.
  const executor = new PooledExecutor({ concurrency: 4 });
  let start = performance.now();
  const onOneThread = await mapReduce(
    ranges,
    (range) => executor.submit(() => tasks.countPrimes(range)),
    { reducer: add, initial: 0, concurrency: 4 },
  );
  const oneThreadMs = performance.now() - start;

  const cores = navigator.hardwareConcurrency;
  await using pool = new WorkerPool<typeof tasks>({
    module: new URL("../../tests/fixtures/worker_tasks.ts", import.meta.url),
    size: cores,
  });
  // Start the workers first: startup is paid once per pool, not per task.
  await Promise.all(
    Array.from({ length: cores }, () => pool.run("countPrimes", [0, 1000])),
  );
  start = performance.now();
  const inParallel = await mapReduce(
    ranges,
    (range, _i, signal) => pool.run("countPrimes", range, { signal }),
    { reducer: add, initial: 0, concurrency: 2 * cores },
  );
  const parallelMs = performance.now() - start;

  console.log(
    `primes below ${
      LIMIT.toLocaleString("en")
    }, ${CHUNKS} chunks mapped and reduced:`,
  );
  console.log(
    `  PooledExecutor (concurrency 4, one thread): ${onOneThread} in ${
      oneThreadMs.toFixed(0)
    } ms`,
  );
  console.log(
    `  WorkerPool (${cores} workers):              ${inParallel} in ${
      parallelMs.toFixed(0)
    } ms`,
  );
  const stats = pool.stats;
  console.log(
    `  speed-up: ${(oneThreadMs / parallelMs).toFixed(2)}x on ${cores} cores;`,
    `utilisation ${(stats.utilisation * 100).toFixed(0)}%, median task ${
      stats.runTime.p50.toFixed(1)
    } ms`,
  );
}

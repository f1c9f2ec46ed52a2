// Helpers for the WorkerPool tests: the fixture modules, a test wrapper that
// fails a test leaving workers alive, polling on 0 ms timers, and a count
// of the worker threads the process holds (Linux).
import fs from "node:fs";
import { WorkerPool, type WorkerPoolOptions } from "../../mod.ts";
import type * as tasks from "../fixtures/worker_tasks.ts";

/** The task module of the tests. */
export const TASKS: URL = new URL(
  "../fixtures/worker_tasks.ts",
  import.meta.url,
);
/** A task module that throws while loading. */
export const BROKEN: URL = new URL(
  "../fixtures/worker_broken.ts",
  import.meta.url,
);

/** The type of the task module. */
export type Tasks = typeof tasks;

/** Opens a pool over {@linkcode TASKS} (size 1 unless given). */
export type Open = (
  options?: Partial<WorkerPoolOptions>,
) => WorkerPool<Tasks>;

/**
 * Registers a test whose pools (opened through `open`) must have no worker
 * left when it ends: it fails otherwise, after terminating them.
 */
export function poolTest(
  name: string,
  fn: (open: Open) => Promise<void>,
): void {
  Deno.test(name, async () => {
    const pools: WorkerPool<Tasks>[] = [];
    const open: Open = (options = {}) => {
      const pool = new WorkerPool<Tasks>({
        module: TASKS,
        size: 1,
        ...options,
      });
      pools.push(pool);
      return pool;
    };
    let failed = false;
    try {
      await fn(open);
    } catch (error) {
      failed = true;
      throw error;
    } finally {
      const leaked = pools.filter((p) => p.stats.workers > 0).length;
      await Promise.all(pools.map((p) => p.terminate()));
      if (leaked > 0 && !failed) {
        // deno-lint-ignore no-unsafe-finally
        throw new Error(
          `${leaked} pool(s) still had workers when the test ended`,
        );
      }
    }
  });
}

/** Lets 0 ms timers run until `condition()` holds; fails after `limit`. */
export async function until(
  condition: () => boolean,
  what = "the condition",
  limit = 2000,
): Promise<void> {
  for (let i = 0; i < limit; i++) {
    if (condition()) return;
    await new Promise((r) => setTimeout(r, 0));
  }
  throw new Error(`${what} did not hold after ${limit} turns`);
}

const isDeno = (globalThis as { Deno?: unknown }).Deno !== undefined;

/**
 * The ids of the OS threads that can be workers: on Deno the threads it
 * names `worker-N`, on Node every thread (Node names them all "node"), or
 * `undefined` where /proc is missing (not Linux) or on other runtimes.
 */
export function workerThreads(): Set<string> | undefined {
  const bun = (globalThis as { Bun?: unknown }).Bun !== undefined;
  if (bun || !fs.existsSync("/proc/self/task")) return undefined;
  const ids = new Set<string>();
  for (const tid of fs.readdirSync("/proc/self/task")) {
    if (!isDeno) {
      ids.add(tid);
      continue;
    }
    try {
      const name = fs.readFileSync(`/proc/self/task/${tid}/comm`, "utf8");
      if (/^worker-\d+\s*$/.test(name)) ids.add(tid);
    } catch {
      // The thread ended while we looked.
    }
  }
  return ids;
}

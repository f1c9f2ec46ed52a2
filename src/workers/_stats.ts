/**
 * The bookkeeping behind `WorkerPool.stats`: counts, busy time against
 * worker lifetime (utilisation), and running summaries of durations (count,
 * mean, min and max over every sample, percentiles over a window of the
 * latest ones).
 *
 * @module
 */

import { RingQueue } from "../core/_ring.ts";
import type {
  DurationSummary,
  WorkerPoolStats,
} from "./worker_pool_options.ts";

const WINDOW = 1024;

/** Collects durations in milliseconds. */
export class DurationStats {
  #count = 0;
  #sum = 0;
  #min = Infinity;
  #max = 0;
  readonly #recent = new RingQueue<number>(WINDOW);

  /** Adds `n` samples of `ms` each (default one). */
  add(ms: number, n = 1): void {
    this.#count += n;
    this.#sum += ms * n;
    if (ms < this.#min) this.#min = ms;
    if (ms > this.#max) this.#max = ms;
    const recent = this.#recent;
    for (let i = n < WINDOW ? n : WINDOW; i > 0; i--) {
      if (recent.length === WINDOW) recent.shift();
      recent.push(ms);
    }
  }

  /** A snapshot. */
  summary(): DurationSummary {
    const n = this.#count;
    if (n === 0) {
      return { count: 0, mean: 0, min: 0, max: 0, p50: 0, p95: 0, p99: 0 };
    }
    const recent = this.#recent;
    const sorted: number[] = [];
    for (let i = 0; i < recent.length; i++) sorted.push(recent.at(i) as number);
    sorted.sort((a, b) => a - b);
    const at = (q: number): number =>
      sorted[
        Math.min(sorted.length - 1, Math.floor(q * sorted.length))
      ] as number;
    return {
      count: n,
      mean: this.#sum / n,
      min: this.#min,
      max: this.#max,
      p50: at(0.5),
      p95: at(0.95),
      p99: at(0.99),
    };
  }
}

/** What a pool counts and measures over its life. */
export class PoolStats {
  /** Tasks that fulfilled. */
  completed = 0;
  /** Tasks that rejected. */
  failed = 0;
  #busyMs = 0;
  #deadLifeMs = 0;
  readonly #runTime = new DurationStats();
  readonly #waitTime = new DurationStats();

  /** A task was sent after waiting `ms` in the queue. */
  sent(ms: number): void {
    this.#waitTime.add(ms);
  }

  /** A worker spent `elapsedMs` on `n` tasks, timed as a whole. */
  reported(elapsedMs: number, n: number): void {
    this.#busyMs += elapsedMs;
    if (n > 0) this.#runTime.add(elapsedMs / n, n);
  }

  /** A worker that lived `ms` stopped. */
  workerEnded(ms: number): void {
    this.#deadLifeMs += ms;
  }

  /**
   * A snapshot, given the live workers' ages (ms) and the counts of tasks
   * running and queued.
   */
  snapshot(ages: number[], running: number, queued: number): WorkerPoolStats {
    let life = this.#deadLifeMs;
    for (const age of ages) life += age;
    return {
      workers: ages.length,
      running,
      queued,
      completed: this.completed,
      failed: this.failed,
      utilisation: life > 0 ? Math.min(1, this.#busyMs / life) : 0,
      runTime: this.#runTime.summary(),
      waitTime: this.#waitTime.summary(),
    };
  }
}

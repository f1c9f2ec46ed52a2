/**
 * Adaptive batching for `WorkerPool`: how many queued tasks go into one
 * message, and whether a worker may receive its next batch before it has
 * returned the current one. Both follow the measured time per task, a
 * moving average of what workers report.
 *
 * - Unknown or long tasks go one per message, to a worker with nothing in
 *   flight: a lone task is sent at once, alone, and long tasks spread
 *   evenly over the workers.
 * - Small tasks go up to `BATCH_MS` worth per message (at most
 *   `MAX_BATCH`), and below `PIPELINE_MS` per task a worker holds one batch
 *   beyond the one it runs, so it never waits for a round trip.
 *
 * A value: it can be tested without workers or a clock.
 *
 * @module
 */

/** The time one batch of small tasks should take in its worker, in ms. */
export const BATCH_MS = 1;
/** The most tasks in one message. */
export const MAX_BATCH = 512;
/** Below this time per task (ms), a worker gets its next batch early. */
export const PIPELINE_MS = 0.25;

/** The batching decisions of one pool. */
export class BatchPolicy {
  #taskMs = NaN;

  /** The moving average of the time per task, in ms (`NaN`: none yet). */
  get taskMs(): number {
    return this.#taskMs;
  }

  /** A worker spent `elapsedMs` on `n` tasks. */
  record(elapsedMs: number, n: number): void {
    if (n <= 0) return;
    const per = elapsedMs / n;
    const ms = this.#taskMs;
    this.#taskMs = ms >= 0 ? ms * 0.75 + per * 0.25 : per;
  }

  /** The most tasks to send in the next message. */
  batchSize(): number {
    const ms = this.#taskMs;
    if (!(ms >= 0)) return 1;
    const n = Math.floor(BATCH_MS / (ms > 1e-4 ? ms : 1e-4));
    return n < 1 ? 1 : n > MAX_BATCH ? MAX_BATCH : n;
  }

  /**
   * The most tasks a worker may have in flight and still receive a batch:
   * 0 (only an idle worker) unless tasks are known to be small.
   */
  inFlightLimit(): number {
    return this.#taskMs < PIPELINE_MS ? this.batchSize() : 0;
  }
}

/**
 * Runs snippets in a Web Worker with a watchdog: a run that does not answer
 * within the time limit is ended by terminating the worker (and a fresh one
 * takes its place), so no snippet can freeze the page.
 *
 * The worker's code comes as a string (`PLEDGE_WORKER_SOURCE`, from
 * worker_source.js) and starts from a Blob URL, so the built page also works
 * opened as a file.
 *
 * @module
 */

/// <reference lib="dom" />

import { type PackedResult, unpackResult } from "./packed.ts";
import type { RunOptions, RunResult } from "./run.ts";

/** The watchdog ended a run. */
export class WatchdogError extends Error {
  /**
   * Creates the error.
   *
   * @param message The message.
   */
  constructor(message: string) {
    super(message);
    this.name = "WatchdogError";
  }
}

interface Pending {
  resolve(result: RunResult): void;
  reject(error: Error): void;
  timer: ReturnType<typeof setTimeout>;
}

/** A worker that runs snippets, one at a time. */
export class SimWorker {
  readonly #url: string;
  readonly #timeoutMs: number;
  #worker: Worker | undefined;
  #ids = 0;
  readonly #pending = new Map<number, Pending>();

  /**
   * Creates the client.
   *
   * @param source The worker's code.
   * @param timeoutMs Real time a run may take before it is ended.
   */
  constructor(source: string, timeoutMs = 8000) {
    this.#url = URL.createObjectURL(
      new Blob([source], { type: "text/javascript" }),
    );
    this.#timeoutMs = timeoutMs;
  }

  /** Runs `code` with `options` in the worker. */
  run(code: string, options: RunOptions): Promise<RunResult> {
    const worker = this.#worker ??= this.#start();
    const id = ++this.#ids;
    return new Promise<RunResult>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        this.#restart();
        reject(
          new WatchdogError(
            `The snippet did not finish within ${
              this.#timeoutMs / 1000
            } s of real time, so the page ended it (its worker was terminated). The simulation has its own limits (callbacks per run, iterations per loop); this is the last guard.`,
          ),
        );
      }, this.#timeoutMs);
      this.#pending.set(id, { resolve, reject, timer });
      worker.postMessage({ id, code, options });
    });
  }

  #start(): Worker {
    const worker = new Worker(this.#url);
    worker.onmessage = (
      { data }: MessageEvent<
        { id: number; packed?: PackedResult; failure?: string }
      >,
    ) => {
      const p = this.#pending.get(data.id);
      if (p === undefined) return;
      this.#pending.delete(data.id);
      clearTimeout(p.timer);
      if (data.packed !== undefined) p.resolve(unpackResult(data.packed));
      else p.reject(new Error(data.failure ?? "the worker failed"));
    };
    worker.onerror = (event) => {
      event.preventDefault();
      for (const [id, p] of this.#pending) {
        clearTimeout(p.timer);
        this.#pending.delete(id);
        p.reject(new Error(`The worker failed: ${event.message}`));
      }
      this.#restart();
    };
    return worker;
  }

  #restart(): void {
    this.#worker?.terminate();
    this.#worker = undefined;
  }
}

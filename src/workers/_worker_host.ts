/**
 * Starting one worker on the host: a Web `Worker` with `type: "module"` on
 * Deno, Bun and browsers, a `node:worker_threads` `Worker` on Node (loaded
 * on first use). Both look the same to the pool: messages in, messages out,
 * one error callback, one exit callback, and `terminate()`.
 *
 * @module
 */

import { hasWebWorker, nodeBuiltin } from "./_runtime.ts";
// The bootstrap is started by URL, never imported: this type-only import
// puts it in the module graph, so JSR, `deno info` and the npm build ship it.
import type {} from "./_worker_bootstrap.ts";
import type { TransferItem } from "./transfer.ts";

/** The URL of the worker bootstrap, beside this module. */
export const BOOTSTRAP_URL: URL = new URL(
  "./_worker_bootstrap.ts",
  import.meta.url,
);

/** What a worker reports to the pool. */
export interface WorkerEvents {
  /** A message from the worker. */
  message(data: unknown[]): void;
  /** An uncaught error in the worker, or a message that failed to arrive. */
  error(error: unknown): void;
  /** The worker exited (Node, Bun); `code` is its exit code. */
  exit(code: number): void;
}

/** One started worker. */
export interface WorkerHost {
  /** Posts a message; throws a `DataCloneError` when it cannot be cloned. */
  post(message: unknown[], transfer?: TransferItem[]): void;
  /** Stops the worker; settles once it is gone. */
  terminate(): Promise<void>;
  /** Whether the worker keeps the process alive (Node, Bun; else no-op). */
  keepAlive(busy: boolean): void;
}

interface WebWorker {
  postMessage(message: unknown, transfer?: TransferItem[]): void;
  terminate(): void;
  onmessage: ((event: { data: unknown[] }) => void) | null;
  onerror:
    | ((
      event: { error?: unknown; message?: string; preventDefault(): void },
    ) => void)
    | null;
  onmessageerror: (() => void) | null;
  addEventListener(
    type: "close",
    listener: (event: { code?: number }) => void,
  ): void;
  /** Bun only. */
  ref?: () => void;
  /** Bun only. */
  unref?: () => void;
}

interface NodeWorker {
  postMessage(message: unknown, transfer?: readonly TransferItem[]): void;
  terminate(): Promise<number>;
  on(event: string, listener: (value: never) => void): void;
  ref(): void;
  unref(): void;
}

type WebWorkerClass = new (
  url: URL,
  options: { type: "module"; name?: string },
) => WebWorker;
type NodeWorkerClass = new (url: URL) => NodeWorker;

const DONE: Promise<void> = Promise.resolve();

function undeliverable(): DOMException {
  return new DOMException(
    "A message from the worker could not be deserialized",
    "DataCloneError",
  );
}

/**
 * Starts a worker running {@linkcode BOOTSTRAP_URL}. Synchronous where the
 * host allows it; on a Node without `process.getBuiltinModule` the first
 * start waits for `node:worker_threads` to load. Throws (or rejects) when
 * the host refuses to start it.
 */
export function startWorker(
  name: string,
  events: WorkerEvents,
): WorkerHost | Promise<WorkerHost> {
  if (hasWebWorker()) return startWebWorker(name, events);
  const threads = nodeBuiltin<{ Worker: NodeWorkerClass }>(
    "node:worker_threads",
  );
  return threads instanceof Promise
    ? threads.then((t) => startNodeWorker(t.Worker, events))
    : startNodeWorker(threads.Worker, events);
}

function startWebWorker(name: string, events: WorkerEvents): WorkerHost {
  const Worker = (globalThis as unknown as { Worker: WebWorkerClass }).Worker;
  const worker = new Worker(BOOTSTRAP_URL, { type: "module", name });
  worker.onmessage = (event) => events.message(event.data);
  worker.onerror = (event) => {
    // Unhandled, Deno would rethrow the worker's error in this thread.
    event.preventDefault();
    events.error(event.error ?? new Error(event.message ?? "Worker error"));
  };
  worker.onmessageerror = () => events.error(undeliverable());
  // Bun tells when a worker ended (process.exit() in it); others never do.
  let ended = false;
  worker.addEventListener("close", (event) => {
    if (!ended) events.exit(event.code ?? 0);
  });
  return {
    post: (message, transfer) =>
      transfer === undefined
        ? worker.postMessage(message)
        : worker.postMessage(message, transfer),
    terminate: () => {
      ended = true;
      worker.onmessage = worker.onerror = worker.onmessageerror = null;
      worker.terminate();
      return DONE;
    },
    // Bun can let the process exit past an idle worker; Deno and browsers
    // cannot.
    keepAlive: (busy) => busy ? worker.ref?.() : worker.unref?.(),
  };
}

function startNodeWorker(
  Worker: NodeWorkerClass,
  events: WorkerEvents,
): WorkerHost {
  const worker = new Worker(BOOTSTRAP_URL);
  let ended = false;
  // An uncaught error ends the worker: it is reported at its exit, after
  // the messages the worker sent before it (Node delivers those first, on
  // another port than the error), which name the task that was running.
  let crash: { error: unknown } | undefined;
  worker.on("message", (data: unknown[]) => events.message(data));
  worker.on("error", (error: unknown) => crash ??= { error });
  worker.on("messageerror", () => events.error(undeliverable()));
  worker.on("exit", (code: number) => {
    if (ended) return;
    if (crash !== undefined) events.error(crash.error);
    else events.exit(code);
  });
  return {
    post: (message, transfer) => worker.postMessage(message, transfer),
    terminate: () => {
      ended = true;
      return worker.terminate().then(() => {});
    },
    keepAlive: (busy) => busy ? worker.ref() : worker.unref(),
  };
}

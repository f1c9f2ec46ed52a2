/**
 * The code a `WorkerPool` starts in each worker: a Web Worker (Deno, Bun,
 * browsers) or a `node:worker_threads` worker (Node). It loads the task
 * module named by the first message, reports the names of its functions,
 * then runs the tasks it receives one after another, in order, and sends
 * their outcomes back in that order, several per message when several are
 * done (see `_protocol.ts`).
 *
 * A task is called as `fn(arg, context)`; `context.signal` is created on
 * first use, so a task that never reads it costs no `AbortController`.
 *
 * @module
 */

import { isThenable } from "../core/_thenable.ts";
import { invalidMessage } from "../core/_validate.ts";
import {
  ABORT,
  CRASH,
  decode,
  encode,
  EXIT,
  FAILED,
  INIT,
  LOAD_ERROR,
  OK,
  READY,
  RESULTS,
  RUN,
  SKIPPED,
} from "./_protocol.ts";
import { nodeBuiltin } from "./_runtime.ts";
import { isTransferred } from "./transfer.ts";
import type { TransferItem } from "./transfer.ts";

type Post = (message: unknown[], transfer?: TransferItem[]) => void;
type Task = (arg: unknown, context: TaskContext) => unknown;

// Aborts a task's signal; set by TaskContext's static block.
let abortTask: (context: TaskContext, reason: unknown) => void;

/**
 * The second argument of a task: its signal, created on first use. What the
 * task sees is only `signal`; the bootstrap aborts it through `abortTask`.
 */
class TaskContext {
  #controller: AbortController | undefined = undefined;
  #aborted = false;
  #reason: unknown = undefined;

  get signal(): AbortSignal {
    if (this.#controller === undefined) {
      this.#controller = new AbortController();
      if (this.#aborted) this.#controller.abort(this.#reason);
    }
    return this.#controller.signal;
  }

  static {
    abortTask = (context, reason) => {
      if (context.#aborted) return;
      context.#aborted = true;
      context.#reason = reason;
      context.#controller?.abort(reason);
    };
  }
}

const now = (): number => performance.now();
const EMPTY: unknown[] = [];

let post: Post;
let tasks: Record<string, unknown> = {};
let moduleUrl = "";
// The tasks received and not yet started: [tag, id, name, arg, id, ...].
let queue: unknown[] = EMPTY;
let pos = 0;
// Outcomes not yet sent: [RESULTS, elapsedMs, status, value, ...], with the
// transfer list of each transferred result.
let out: unknown[] = [RESULTS, 0];
let transfers: (readonly TransferItem[] | undefined)[] | undefined;
let busy = false;
let since = 0;
// The task running now, sync or async (0: none), named when the worker dies.
let runningId = 0;
// The async task awaited now (its id and context), and the queued tasks
// aborted before starting.
let currentId = 0;
let current: TaskContext | undefined;
let skipped: Set<number> | undefined;

function onMessage(message: unknown[]): void {
  switch (message[0]) {
    case RUN:
      if (pos >= queue.length) (queue = message, pos = 1);
      else for (let i = 1; i < message.length; i++) queue.push(message[i]);
      if (!busy) (busy = true, since = now(), pump());
      break;
    case ABORT:
      abort(message[1] as number, message[2] as never);
      break;
    case INIT:
      load(message[1] as string);
      break;
  }
}

function abort(id: number, reason: Parameters<typeof decode>[0]): void {
  if (current !== undefined && currentId === id) {
    abortTask(current, decode(reason));
    return;
  }
  for (let i = pos; i < queue.length; i += 3) {
    if (queue[i] === id) {
      (skipped ??= new Set()).add(id);
      return;
    }
  }
}

async function load(url: string): Promise<void> {
  moduleUrl = url;
  try {
    tasks = await import(url);
  } catch (error) {
    post([LOAD_ERROR, encode(error)]);
    return;
  }
  const names = Object.keys(tasks).filter((k) =>
    typeof tasks[k] === "function"
  );
  post([READY, names]);
}

/** Runs the queued tasks until one returns a promise, or none is left. */
function pump(): void {
  while (pos < queue.length) {
    const id = queue[pos] as number;
    const name = queue[pos + 1] as string;
    const arg = queue[pos + 2];
    queue[pos + 2] = undefined;
    pos += 3;
    if (skipped !== undefined && skipped.delete(id)) {
      out.push(SKIPPED, undefined);
      continue;
    }
    const fn = tasks[name];
    if (typeof fn !== "function") {
      out.push(FAILED, encode(unknownTask(name)));
      continue;
    }
    const context = new TaskContext();
    let result: unknown;
    runningId = id;
    try {
      result = (fn as Task)(arg, context);
    } catch (error) {
      runningId = 0;
      out.push(FAILED, encode(error));
      continue;
    }
    if (isThenable(result)) {
      // Send what is done before waiting.
      flush();
      current = context;
      currentId = id;
      Promise.resolve(result).then(
        (value) => {
          current = undefined;
          runningId = 0;
          fulfil(value);
          pump();
        },
        (error) => {
          current = undefined;
          runningId = 0;
          out.push(FAILED, encode(error));
          pump();
        },
      );
      return;
    }
    runningId = 0;
    fulfil(result);
  }
  queue = EMPTY;
  pos = 0;
  flush();
  busy = false;
}

function fulfil(value: unknown): void {
  if (isTransferred(value)) {
    (transfers ??= [])[out.length] = value.transfer;
    out.push(OK, value.value);
  } else out.push(OK, value);
}

function unknownTask(name: string): TypeError {
  return new TypeError(invalidMessage(
    "run the task",
    "name",
    `the name of a function exported by ${moduleUrl}`,
    name,
  ));
}

/** Sends the outcomes gathered so far, with the time spent on them. */
function flush(): void {
  if (out.length === 2) return;
  const t = now();
  const message = out;
  const marks = transfers;
  message[1] = t - since;
  since = t;
  out = [RESULTS, 0];
  transfers = undefined;
  const list = marks === undefined
    ? undefined
    : marks.flatMap((m) => m === undefined ? [] : [...m]);
  try {
    post(message, list);
  } catch {
    // Some result cannot be cloned: send one by one, so only that task fails.
    for (let i = 2; i < message.length; i += 2) {
      const mark = marks?.[i];
      try {
        post(
          [RESULTS, i === 2 ? message[1] : 0, message[i], message[i + 1]],
          mark === undefined ? undefined : [...mark],
        );
      } catch (error) {
        post([RESULTS, 0, FAILED, encode(error)]);
      }
    }
  }
}

/**
 * The worker is lost (`tag`: `EXIT` with the exit code, `CRASH` with the
 * encoded error): send the outcomes already known, then say which task was
 * running, so the pool fails that one only and sends the others again.
 */
function lost(tag: number, detail: unknown): void {
  flush();
  post([tag, detail, runningId]);
}

/** Reports `process.exit()` (Node, Bun, Deno's `process`) before it ends. */
function hookProcessExit(): void {
  const process = (globalThis as {
    process?: { exit?: (code?: number) => never };
  }).process;
  const exit = process?.exit;
  if (process === undefined || typeof exit !== "function") return;
  try {
    process.exit = (code?: number): never => {
      lost(EXIT, typeof code === "number" ? code : 0);
      return exit.call(process, code);
    };
  } catch {
    // A frozen `process`: the exit goes unreported, as on any host.
  }
}

interface WebScope {
  postMessage(message: unknown, transfer?: TransferItem[]): void;
  close?: () => void;
  onmessage: ((event: { data: unknown[] }) => void) | null;
  addEventListener(
    type: "error" | "unhandledrejection",
    listener: (event: {
      error?: unknown;
      message?: string;
      reason?: unknown;
      preventDefault(): void;
    }) => void,
  ): void;
}

interface NodePort {
  postMessage(message: unknown, transfer?: readonly TransferItem[]): void;
  on(event: "message", listener: (data: unknown[]) => void): void;
}

const scope = globalThis as unknown as Partial<WebScope>;
if (typeof scope.postMessage === "function") {
  // A Web Worker: Deno, Bun, browsers.
  const web = scope as WebScope;
  post = (message, transfer) =>
    transfer === undefined
      ? web.postMessage(message)
      : web.postMessage(message, transfer);
  // A worker that closes itself gives its parent no event (Deno, browsers;
  // Bun has a close event, and no self.close): say it first.
  const close = web.close;
  if (typeof close === "function") {
    web.close = () => {
      lost(EXIT, 0);
      close.call(web);
    };
  }
  const deno = (globalThis as { Deno?: { exit?: (code?: number) => never } })
    .Deno;
  const exit = deno?.exit;
  if (deno !== undefined && typeof exit === "function") {
    try {
      deno.exit = (code?: number): never => {
        lost(EXIT, code ?? 0);
        return exit.call(deno, code);
      };
    } catch {
      // A frozen namespace: the exit goes unreported, as on any host.
    }
  }
  // An uncaught error: the parent's error event carries only a message on
  // some hosts (Deno), so send the error itself; the pool then terminates
  // this worker (also where the host would let it go on, as browsers do).
  web.addEventListener("error", (event) => {
    event.preventDefault();
    lost(CRASH, encode(event.error ?? new Error(event.message)));
  });
  web.addEventListener("unhandledrejection", (event) => {
    event.preventDefault();
    lost(CRASH, encode(event.reason));
  });
  hookProcessExit();
  web.onmessage = (event) => onMessage(event.data);
} else {
  // A node:worker_threads worker. The bootstrap is an ES module even in the
  // CommonJS build (the pool starts this file from the ES module copy), but
  // it avoids top-level await.
  Promise.resolve(
    nodeBuiltin<{ parentPort: NodePort | null }>("node:worker_threads"),
  ).then((threads) => {
    const port = threads.parentPort as NodePort;
    post = (message, transfer) => port.postMessage(message, transfer);
    port.on("message", onMessage);
    hookProcessExit();
    // An uncaught error: say which task ran before Node ends the worker (a
    // monitor leaves Node's handling as is; with a handler of the task
    // module's, the worker lives on and nothing is said).
    const process = (globalThis as {
      process?: {
        on(event: string, listener: (error: unknown) => void): void;
        listenerCount(event: string): number;
      };
    }).process;
    process?.on("uncaughtExceptionMonitor", (error) => {
      if (process.listenerCount("uncaughtException") === 0) {
        lost(CRASH, encode(error));
      }
    });
  });
}

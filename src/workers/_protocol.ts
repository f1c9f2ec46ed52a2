/**
 * The messages between a `WorkerPool` and its workers, and the codec that
 * carries errors across: structured clone keeps the name only of the
 * built-in error classes and drops an error's own fields, so an error is
 * sent as plain data (name, message, stack, cause, own fields) and rebuilt
 * on the other side. Used by both sides, so it imports nothing.
 *
 * Messages are flat arrays, tag first (cheap to clone):
 *
 * - to a worker: `[INIT, moduleUrl]`, `[RUN, id, name, arg, id, name, arg,
 *   ...]`, `[ABORT, id, encodedReason]`;
 * - from a worker: `[READY, taskNames]`, `[LOAD_ERROR, encodedError]`,
 *   `[RESULTS, elapsedMs, status, value, status, value, ...]` (in the order
 *   the tasks were sent), `[EXIT, code, runningId]`, `[CRASH, encodedError, runningId]` (after
 *   the outcomes already known; `runningId` is the task that was running,
 *   0 for none).
 *
 * @module
 */

/** To a worker: load the task module. */
export const INIT = 0;
/** To a worker: run tasks. */
export const RUN = 1;
/** To a worker: abort a task. */
export const ABORT = 2;
/** From a worker: the module loaded; the names of its functions follow. */
export const READY = 3;
/** From a worker: the module failed to load. */
export const LOAD_ERROR = 4;
/** From a worker: outcomes, in the order the tasks were sent. */
export const RESULTS = 5;
/** From a worker: it is closing itself (`self.close()`, `Deno.exit()`). */
export const EXIT = 6;
/** From a worker: an error nothing caught; the worker is lost. */
export const CRASH = 7;

/** A task's outcome: fulfilled with the value that follows. */
export const OK = 0;
/** A task's outcome: rejected with the encoded reason that follows. */
export const FAILED = 1;
/** A task's outcome: skipped, it was aborted before it started. */
export const SKIPPED = 2;

/** An error as data. */
export interface ErrorData {
  /** `name` of the error. */
  n: string;
  /** `message`. */
  m: string;
  /** `stack`, when it is a string. */
  s?: string;
  /** `cause`, when the error has one. */
  c?: Encoded;
  /** Own enumerable fields that can be cloned (`code`, `status`...). */
  f?: Record<string, unknown>;
  /** Whether it is a `DOMException`. */
  d?: true;
  /** The errors of an `AggregateError`. */
  a?: Encoded[];
}

/** A thrown value as data: an error (`e`) or a cloneable value (`v`). */
export type Encoded = { e: ErrorData } | { v: unknown };

const OWN_SKIPPED = new Set(["name", "message", "stack", "cause", "errors"]);

function isError(value: unknown): value is Error {
  return value instanceof Error ||
    (typeof DOMException === "function" && value instanceof DOMException);
}

function cloneable(value: unknown): boolean {
  if (value === null || typeof value !== "object") {
    return typeof value !== "function" && typeof value !== "symbol";
  }
  try {
    structuredClone(value);
    return true;
  } catch {
    return false;
  }
}

/** Encodes a thrown value (or an abort reason) for `postMessage`. */
export function encode(value: unknown, depth = 0): Encoded {
  if (!isError(value)) {
    if (cloneable(value)) return { v: value };
    return {
      e: {
        n: "DataCloneError",
        m: `${String(value)} could not be cloned`,
        d: true,
      },
    };
  }
  const data: ErrorData = { n: String(value.name), m: String(value.message) };
  if (typeof value.stack === "string") data.s = value.stack;
  if (typeof DOMException === "function" && value instanceof DOMException) {
    data.d = true;
  }
  if (depth < 8 && Object.hasOwn(value, "cause")) {
    data.c = encode(value.cause, depth + 1);
  }
  const errors = (value as { errors?: unknown }).errors;
  if (depth < 8 && Array.isArray(errors)) {
    data.a = errors.map((e) => encode(e, depth + 1));
  }
  for (const key of Object.keys(value)) {
    if (OWN_SKIPPED.has(key)) continue;
    const field = (value as unknown as Record<string, unknown>)[key];
    if (cloneable(field)) (data.f ??= {})[key] = field;
  }
  return { e: data };
}

const BUILT_IN: Record<string, ErrorConstructor> = {
  Error,
  TypeError,
  RangeError,
  SyntaxError,
  ReferenceError,
  EvalError,
  URIError,
};

/**
 * Rebuilds what {@linkcode encode} encoded: an error of the built-in class
 * of that name (a `DOMException` for one), else an `Error` whose `name` is
 * the original name; with the original message, stack, cause and fields.
 */
export function decode(encoded: Encoded): unknown {
  if ("v" in encoded) return encoded.v;
  const data = encoded.e;
  const options = data.c === undefined ? undefined : { cause: decode(data.c) };
  let error: Error;
  if (data.d && typeof DOMException === "function") {
    error = new DOMException(data.m, data.n);
    if (options !== undefined) define(error, "cause", options.cause);
  } else if (data.a !== undefined) {
    error = new AggregateError(data.a.map(decode), data.m, options);
    if (data.n !== "AggregateError") define(error, "name", data.n);
  } else {
    const Class = BUILT_IN[data.n];
    error = Class === undefined
      ? new Error(data.m, options)
      : new Class(data.m, options);
    if (Class === undefined) define(error, "name", data.n);
  }
  if (data.s !== undefined) define(error, "stack", data.s);
  if (data.f !== undefined) Object.assign(error, data.f);
  return error;
}

function define(target: object, key: string, value: unknown): void {
  Object.defineProperty(target, key, {
    value,
    writable: true,
    configurable: true,
    enumerable: false,
  });
}

/**
 * Test helpers: a long-lived signal whose `abort` listeners are counted by
 * wrapping its own `addEventListener` / `removeEventListener`, and a catcher
 * for errors reported on a microtask.
 *
 * @module
 */

import assert from "node:assert/strict";
import { getEventListeners } from "node:events";

/** A controller whose signal counts the listeners added and removed. */
export interface CountedSignal {
  controller: AbortController;
  signal: AbortSignal;
  /** Calls of `addEventListener("abort", ...)`. */
  readonly added: number;
  /** Calls of `removeEventListener("abort", ...)`. */
  readonly removed: number;
  /** Listeners registered right now, by our own bookkeeping. */
  readonly live: number;
  /** Listeners registered right now, as `node:events` sees them. */
  readonly native: number;
}

/** Creates a signal whose `abort` listeners are counted. */
export function countedSignal(): CountedSignal {
  const controller = new AbortController();
  const signal = controller.signal;
  const live = new Set<unknown>();
  let added = 0;
  let removed = 0;
  const add = signal.addEventListener.bind(signal);
  const remove = signal.removeEventListener.bind(signal);
  signal.addEventListener = ((
    type: string,
    listener: EventListenerOrEventListenerObject,
    options?: boolean | AddEventListenerOptions,
  ) => {
    if (type === "abort") (added++, live.add(listener));
    add(type, listener, options);
  }) as typeof signal.addEventListener;
  signal.removeEventListener = ((
    type: string,
    listener: EventListenerOrEventListenerObject,
    options?: boolean | EventListenerOptions,
  ) => {
    if (type === "abort") (removed++, live.delete(listener));
    remove(type, listener, options);
  }) as typeof signal.removeEventListener;
  return {
    controller,
    signal,
    get added() {
      return added;
    },
    get removed() {
      return removed;
    },
    get live() {
      return live.size;
    },
    get native() {
      return getEventListeners(signal, "abort").length;
    },
  };
}

/**
 * Runs `fn` while catching errors thrown on microtasks (reported errors),
 * then lets pending microtasks run and returns what was caught.
 */
export function catchReported(
  fn: () => void | Promise<void>,
): Promise<unknown[]> {
  return collectEvents("error", (e: ErrorEvent) => e.error, fn, 1);
}

/** Lets timers and microtasks due now run. */
export function flush(): Promise<void> {
  return new Promise((r) => setTimeout(r, 0));
}

/** The duration table of the house style, with a string added. */
export const DURATIONS: readonly [
  unknown,
  "ok" | typeof RangeError | typeof TypeError,
][] = [
  [0, "ok"],
  [-1, RangeError],
  [1.5, "ok"],
  [NaN, RangeError],
  [Infinity, RangeError],
  ["5", TypeError],
];

/**
 * Registers one test per row of {@linkcode DURATIONS}, named
 * `<call>(<value>) is accepted` or `<call>(<value>) throws a <Error>`.
 */
export function durationTests(
  call: string,
  body: (
    value: number,
    expected: "ok" | typeof RangeError | typeof TypeError,
  ) => Promise<void>,
): void {
  for (const [value, expected] of DURATIONS) {
    const outcome = expected === "ok"
      ? "is accepted"
      : `throws a ${expected.name}`;
    Deno.test(
      `${call}(${show(value)}) ${outcome}`,
      () => body(value as number, expected),
    );
  }
}

/** Renders a table value for a test name or message. */
export function show(value: unknown): string {
  return typeof value === "string" ? `"${value}"` : String(value);
}

/** Asserts that `fn` throws `expected` with the duration message of `action`. */
export function assertDurationError(
  fn: () => unknown,
  action: string,
  value: unknown,
  expected: typeof RangeError | typeof TypeError,
): void {
  assert.throws(fn, (e) => {
    assert.ok(e instanceof expected);
    assert.equal(
      (e as Error).message,
      `Cannot ${action} as 'ms' must be ${
        expected === TypeError ? "a number" : "a finite number >= 0"
      }: current value is ${show(value)}`,
    );
    return true;
  });
}

/**
 * The house table of bad numbers for a count or a duration: each validator
 * gets a test over these, checking the error class and the message.
 */
export const BAD_NUMBERS: readonly number[] = [0, -1, 1.5, NaN, Infinity];

/** The number of `abort` listeners on `signal` right now (any signal). */
export function abortListeners(signal: AbortSignal): number {
  return getEventListeners(signal, "abort").length;
}

/** A constructor of the errors the validators throw. */
export type ErrorClass = typeof TypeError | typeof RangeError;

/** Asserts that `fn` throws `expected` with exactly `message`. */
export function assertThrowsWith(
  fn: () => unknown,
  expected: ErrorClass,
  message: string,
): void {
  assert.throws(fn, (e) => {
    assert.ok(e instanceof expected, `expected a ${expected.name}: ${e}`);
    assert.equal((e as Error).message, message);
    return true;
  });
}

/**
 * Asserts that `fn` does not throw and returns a promise-like that rejects
 * with `expected` and exactly `message`: the rule for every API that returns
 * a promise or a `Future`.
 */
export async function assertRejectsWith(
  fn: () => PromiseLike<unknown>,
  expected: ErrorClass,
  message: string,
): Promise<void> {
  let out: PromiseLike<unknown> | undefined;
  assert.doesNotThrow(() => (out = fn()), "must reject, not throw");
  await assert.rejects(Promise.resolve(out), (e) => {
    assert.ok(e instanceof expected, `expected a ${expected.name}: ${e}`);
    assert.equal((e as Error).message, message);
    return true;
  });
}

/**
 * Runs `fn` while collecting the host's `unhandledrejection` events (each
 * one prevented, so the test process survives it), then lets timers and
 * microtasks due now run, and returns the reasons nobody handled.
 */
export function catchUnhandled(
  fn: () => void | Promise<void>,
): Promise<unknown[]> {
  return collectEvents(
    "unhandledrejection",
    (e: PromiseRejectionEvent) => e.reason,
    fn,
    2,
  );
}

// Runs `fn` with a listener that prevents each `type` event and keeps
// `pick(event)`, then lets timers due now run `flushes` times.
async function collectEvents<E extends Event>(
  type: "error" | "unhandledrejection",
  pick: (event: E) => unknown,
  fn: () => void | Promise<void>,
  flushes: number,
): Promise<unknown[]> {
  const seen: unknown[] = [];
  const listener = (e: Event) => {
    e.preventDefault();
    seen.push(pick(e as E));
  };
  globalThis.addEventListener(type, listener);
  try {
    await fn();
    for (let i = 0; i < flushes; i++) await flush();
  } finally {
    globalThis.removeEventListener(type, listener);
  }
  return seen;
}

/**
 * Asserts that `promise` rejects with `expected` and the duration message of
 * `action` (the rejecting twin of {@linkcode assertDurationError}).
 */
export async function assertDurationRejection(
  promise: PromiseLike<unknown>,
  action: string,
  value: unknown,
  expected: typeof RangeError | typeof TypeError,
): Promise<void> {
  await assert.rejects(Promise.resolve(promise), (e) => {
    assert.ok(e instanceof expected);
    assert.equal(
      (e as Error).message,
      `Cannot ${action} as 'ms' must be ${
        expected === TypeError ? "a number" : "a finite number >= 0"
      }: current value is ${show(value)}`,
    );
    return true;
  });
}

/**
 * Calls `fn` while the host's `setTimeout` records the delay of every timer
 * armed (then restores it exactly), and returns those delays.
 */
export function hostTimersArmedBy(fn: () => void): number[] {
  const original = globalThis.setTimeout;
  const armed: number[] = [];
  globalThis.setTimeout = ((callback: () => void, ms?: number) => {
    armed.push(ms ?? 0);
    return original(callback, ms);
  }) as typeof setTimeout;
  try {
    fn();
  } finally {
    globalThis.setTimeout = original;
  }
  return armed;
}

/**
 * Like {@linkcode durationTests}, for a promise-returning call: one test per
 * row of {@linkcode DURATIONS}, named `<call>(<value>) is accepted` or
 * `<call>(<value>) rejects with a <Error>`.
 */
export function durationRejectionTests(
  call: string,
  body: (
    value: number,
    expected: "ok" | typeof RangeError | typeof TypeError,
  ) => Promise<void>,
): void {
  for (const [value, expected] of DURATIONS) {
    const outcome = expected === "ok"
      ? "is accepted"
      : `rejects with a ${expected.name}`;
    Deno.test(
      `${call}(${show(value)}) ${outcome}`,
      () => body(value as number, expected),
    );
  }
}

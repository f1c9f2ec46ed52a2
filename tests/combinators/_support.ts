/**
 * Test helpers for the combinators: driving a `VirtualClock` until a promise
 * settles, letting host microtasks run, tasks whose signals are recorded, and
 * the bad-input tables.
 *
 * @module
 */

import assert from "node:assert/strict";
import {
  DeadlockError,
  delay,
  type Future,
  type VirtualClock,
} from "@pledge/core";

import { DURATIONS, show } from "../_support.ts";

export { countedSignal } from "../_support.ts";
export { show };

/**
 * Lets every queued host microtask run: resolves after one host macrotask.
 * A fresh `MessageChannel` per turn: on Deno 2.9.6 a port that is reused
 * delivers its later messages between microtasks, not after them.
 */
export function hostTurn(): Promise<void> {
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => {
      channel.port1.close();
      channel.port2.close();
      resolve();
    };
    channel.port2.postMessage(null);
  });
}

/**
 * Runs the clock's timers one at a time, letting microtasks run after each,
 * until `promise` settles (`VirtualClock.runUntilSettled`); returns its
 * outcome. Throws the `DeadlockError` of a promise that can never settle.
 */
export async function settle<T>(
  clock: VirtualClock,
  promise: PromiseLike<T>,
): Promise<PromiseSettledResult<T>> {
  try {
    return { status: "fulfilled", value: await clock.runUntilSettled(promise) };
  } catch (reason) {
    if (reason instanceof DeadlockError) throw reason;
    return { status: "rejected", reason };
  }
}

/** Like {@linkcode settle}, returning the value or throwing the reason. */
export async function drive<T>(
  clock: VirtualClock,
  promise: PromiseLike<T>,
): Promise<T> {
  const outcome = await settle(clock, promise);
  if (outcome.status === "fulfilled") return outcome.value;
  throw outcome.reason;
}

/** Ticks the clock, then lets microtasks run. */
export async function tick(clock: VirtualClock, ms: number): Promise<void> {
  clock.tick(ms);
  await hostTurn();
}

/** The planned outcome of a task in a property test. */
export interface Plan {
  ms: number;
  ok: boolean;
}

/** What a recorded task saw. */
export interface Seen {
  signal: AbortSignal | undefined;
  started: boolean;
  settled: boolean;
}

/**
 * Builds tasks that wait `plan.ms` on the clock (aborted with their signal),
 * then fulfil with their index or reject with `Error(index)`; records the
 * signal each one got.
 */
export function plannedTasks(
  clock: VirtualClock,
  plans: readonly Plan[],
): { tasks: ((signal: AbortSignal) => Promise<number>)[]; seen: Seen[] } {
  const seen: Seen[] = plans.map(() => ({
    signal: undefined,
    started: false,
    settled: false,
  }));
  const tasks = plans.map((plan, i) => (signal: AbortSignal) => {
    seen[i]!.signal = signal;
    seen[i]!.started = true;
    return delay(plan.ms, { clock, signal }).then(() => {
      seen[i]!.settled = true;
      if (!plan.ok) throw new Error(String(i));
      return i;
    }, (reason) => {
      seen[i]!.settled = true;
      throw reason;
    });
  });
  return { tasks, seen };
}

/** A constructor of the errors the validators throw. */
export type ErrorClass = typeof TypeError | typeof RangeError;

/**
 * The `concurrency` table of the house style: what each value gives.
 * `Infinity` means unbounded, so it is accepted.
 */
export const CONCURRENCY_TABLE: readonly [unknown, "ok" | ErrorClass][] = [
  [0, RangeError],
  [-1, RangeError],
  [1.5, RangeError],
  [NaN, RangeError],
  [Infinity, "ok"],
  [1, "ok"],
  ["2", TypeError],
];

/** The table of a duration in milliseconds (a finite number >= 0). */
export const DURATION_TABLE: readonly [unknown, "ok" | ErrorClass][] =
  DURATIONS;

/** What {@linkcode tracked} records of its generator. */
export interface TrackedState {
  /** Items read so far. */
  read: number;
  /** Whether the generator ended, read to its end or returned early. */
  closed: boolean;
  /** Whether it was read to its end. */
  finished: boolean;
}

/** A generator over `items` that records how far it was read and if closed. */
export function tracked<T>(
  items: readonly T[],
): { state: TrackedState; iterable: Generator<T> } {
  const state = { read: 0, closed: false, finished: false };
  function* gen(): Generator<T> {
    try {
      for (const item of items) {
        state.read++;
        yield item;
      }
      state.finished = true;
    } finally {
      state.closed = true;
    }
  }
  return { state, iterable: gen() };
}

/** An async generator over `items`, one microtask per item. */
export async function* asyncFrom<T>(items: readonly T[]): AsyncGenerator<T> {
  for (const item of items) {
    await Promise.resolve();
    yield item;
  }
}

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
 * Registers one test per row of a numeric option's table, named
 * `<api> with <option> <value> is accepted` or `... throws a <Error>`: an
 * accepted value goes through `call` then `accepted`; a rejected one must
 * throw, from `call`, the house message with `range` (or "a number" for a
 * TypeError).
 */
export function optionTable<R>(
  api: string,
  action: string,
  option: string,
  range: string,
  table: readonly (readonly [unknown, "ok" | ErrorClass])[],
  call: (value: number) => R,
  accepted?: (result: R) => void | Promise<void>,
): void {
  for (const [value, expected] of table) {
    const outcome = expected === "ok"
      ? "is accepted"
      : `throws a ${expected.name}`;
    Deno.test(`${api} with ${option} ${show(value)} ${outcome}`, async () => {
      if (expected === "ok") {
        await accepted?.(call(value as number));
        return;
      }
      assertThrowsWith(
        () => call(value as number),
        expected,
        `Cannot ${action} as '${option}' must be ${
          expected === TypeError ? "a number" : range
        }: current value is ${show(value)}`,
      );
    });
  }
}

/** Any of `all`, `allSettled`, `race`, `any` and the winner forms. */
export type AnyCombinator = (
  values: unknown,
  options?: { signal?: AbortSignal },
) => Future<unknown>;

/** Values that are neither iterable nor async iterable. */
export const NOT_ITERABLE: readonly unknown[] = [
  undefined,
  null,
  42,
  true,
  {},
  () => {},
];

/** Values that are not functions. */
export const NOT_FUNCTION: readonly unknown[] = [
  undefined,
  null,
  0,
  "fn",
  {},
];

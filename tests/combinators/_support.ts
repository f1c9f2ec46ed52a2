/**
 * Test helpers for the combinators: driving a `VirtualClock` until a promise
 * settles, tasks whose signals are recorded, tracked sources, and the tables
 * of bad inputs (built on the shared ones of `tests/_support.ts`).
 *
 * @module
 */

import {
  Completer,
  DeadlockError,
  delay,
  type Future,
  type MapItems,
  type VirtualClock,
} from "@pledge/core";

import {
  assertRejectsWith,
  assertThrowsWith,
  BAD_NUMBERS,
  type ErrorClass,
  flush,
  show,
} from "../_support.ts";

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
  await flush();
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

/**
 * The `concurrency` table: the house table of bad numbers, where `Infinity`
 * means unbounded (so it is accepted), plus a valid count and a string.
 */
export const CONCURRENCY_TABLE: readonly [unknown, "ok" | ErrorClass][] = [
  ...BAD_NUMBERS.map((n): [unknown, "ok" | ErrorClass] => [
    n,
    n === Infinity ? "ok" : RangeError,
  ]),
  [1, "ok"],
  ["2", TypeError],
];

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

/**
 * Registers one test per row of a numeric option's table, named
 * `<api> with <option> <value> is accepted`, `... throws a <Error>` or
 * `... rejects with a <Error>`: an accepted value goes through `call` then
 * `accepted`; a refused one must give the house message with `range` (or
 * "a number" for a TypeError), thrown by `call` when `refusal` is
 * `"throws"` (an API that returns a function or an iterator), as a
 * rejection and never thrown when it is `"rejects"` (one that returns a
 * promise).
 */
export function optionTable<R>(
  api: string,
  refusal: "throws" | "rejects",
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
      : `${
        refusal === "rejects" ? "rejects with" : "throws"
      } a ${expected.name}`;
    Deno.test(`${api} with ${option} ${show(value)} ${outcome}`, async () => {
      if (expected === "ok") {
        await accepted?.(call(value as number));
        return;
      }
      const message = `Cannot ${action} as '${option}' must be ${
        expected === TypeError ? "a number" : range
      }: current value is ${show(value)}`;
      if (refusal === "rejects") {
        await assertRejectsWith(
          () => call(value as number) as PromiseLike<unknown>,
          expected,
          message,
        );
      } else assertThrowsWith(() => call(value as number), expected, message);
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

/** A source whose `Symbol.iterator` method throws `error`. */
export function failingToOpen(error: unknown): Iterable<number> {
  return {
    [Symbol.iterator](): Iterator<number> {
      throw error;
    },
  };
}

/** Sources whose `next()` gives a primitive: a sync one and an async one. */
export function primitiveSteps(): MapItems<number>[] {
  return [
    { [Symbol.iterator]: () => ({ next: () => 5 as never }) },
    {
      [Symbol.asyncIterator]: () => ({
        next: () => Promise.resolve(5 as never),
      }),
    },
  ];
}

/** What reading a source of {@linkcode primitiveSteps} rejects with. */
export const PRIMITIVE_STEP = {
  name: "TypeError",
  message:
    "Cannot read the items as 'next()' must be an object: current value is 5",
};

/**
 * A mapper that waits `10 * n` ms on `clock` (aborted with its signal), then
 * fails for `n === failOn` and returns `n` otherwise.
 */
export function slowMapper(
  clock: VirtualClock,
  failOn: number,
): (n: number, index: number, signal: AbortSignal) => Promise<number> {
  return (n, _index, signal) =>
    delay(10 * n, { clock, signal }).then(() => {
      if (n === failOn) throw new Error(String(n));
      return n;
    });
}

/**
 * A long-lived `Future` (a shutdown signal raced against every request, say)
 * whose reactions run through a counting executor: `reactions()` tells how
 * many reactions ran once `source` settled, so how many finished calls kept
 * one on it.
 */
export function longLivedFuture(): {
  source: Completer<number>;
  future: Future<number>;
  reactions: () => number;
} {
  let reactions = 0;
  const counting = {
    execute: (task: () => void) => (reactions++, task()),
  };
  const source = new Completer<number>();
  return {
    source,
    future: source.future.via(counting),
    reactions: () => reactions,
  };
}

/**
 * The bad-argument table of `@pledge/core/combinators`: every function
 * returns a `Future` and rejects, except the ones that return a function or
 * an iterator (`debounce`, `throttle`, `pipeline`, `mapConcurrentIterable`),
 * which throw.
 *
 * @module
 */

import {
  all,
  allSettled,
  any,
  anyWithWinner,
  debounce,
  mapConcurrent,
  mapConcurrentIterable,
  mapReduce,
  pipeline,
  race,
  raceWithWinner,
  reduce,
  sequence,
  throttle,
  timeout,
} from "../../mod.ts";
import {
  bad,
  booleans,
  type Case,
  clocks,
  functions,
  numbers,
  options,
  SIGNAL,
  signals,
  type Table,
} from "./_misuse.ts";

type Combinator = (values: unknown, options?: unknown) => PromiseLike<unknown>;

const NOT_ITERABLE = "an iterable or a record (a plain object)";

/** The rows every `all`-like combinator shares. */
function combinator(name: string, fn: Combinator): Case[] {
  return [
    ...[undefined, null, 5, SIGNAL, new Error("x")].map((values) =>
      bad(
        `${name}($)`,
        (_, v) => fn(v),
        TypeError,
        "values",
        values,
        { constraint: NOT_ITERABLE, suffix: ", which is not iterable" },
      )
    ),
    ...options(`${name}([], $)`, (_, o) => fn([], o)),
    ...signals(`${name}([], { signal: $ })`, (_, signal) => fn([], { signal })),
  ];
}

/** The rows of the functions built on the mapping source. */
function mapping(
  name: string,
  call: (items: unknown, fn: unknown, options?: unknown) => unknown,
  fnName = "fn",
): Case[] {
  const fn = (x: unknown) => x;
  return [
    ...[undefined, 5, {}].map((items) =>
      bad(
        `${name}($, fn)`,
        (_, v) => call(v, fn),
        TypeError,
        "items",
        items,
        { constraint: "an iterable or an async iterable" },
      )
    ),
    ...functions(`${name}([], $)`, (_, f) => call([], f), fnName),
    ...options(`${name}([], fn, $)`, (_, o) => call([], fn, o)),
    ...numbers(
      `${name}([], fn, { concurrency: $ })`,
      (ctx, concurrency) => call([], fn, { concurrency, signal: ctx.signal }),
      "concurrency",
      "count|Infinity",
    ),
    ...signals(
      `${name}([], fn, { signal: $ })`,
      (_, signal) => call([], fn, { signal }),
    ),
  ];
}

const identity = (x: unknown) => x;
const sum = (a: number, b: number) => a + b;

/** The table of the combinators area. */
export const COMBINATORS: Table = {
  "all": { rejects: combinator("all", all as Combinator) },
  "allSettled": { rejects: combinator("allSettled", allSettled as Combinator) },
  "any": { rejects: combinator("any", any as Combinator) },
  "anyWithWinner": {
    rejects: combinator("anyWithWinner", anyWithWinner as Combinator),
  },
  "race": {
    rejects: [
      ...combinator("race", race as Combinator),
      bad("race($)", (_, v) => race(v), RangeError, "values", [], {
        constraint: "non-empty",
      }),
    ],
  },
  "raceWithWinner": {
    rejects: combinator("raceWithWinner", raceWithWinner as Combinator),
  },
  "mapConcurrent": {
    rejects: [
      ...mapping(
        "mapConcurrent",
        mapConcurrent as (i: unknown, f: unknown, o?: unknown) => unknown,
      ),
      ...booleans(
        "mapConcurrent([], fn, { stopOnError: $ })",
        (_, stopOnError) => mapConcurrent([], identity, { stopOnError }),
        "stopOnError",
      ),
    ],
  },
  "mapConcurrentIterable": {
    throws: [
      ...mapping(
        "mapConcurrentIterable",
        mapConcurrentIterable as (
          i: unknown,
          f: unknown,
          o?: unknown,
        ) => unknown,
      ),
      ...numbers(
        "mapConcurrentIterable([], fn, { bufferSize: $ })",
        (ctx, bufferSize) =>
          mapConcurrentIterable([], identity, {
            bufferSize,
            signal: ctx.signal,
          }),
        "bufferSize",
        "count|Infinity",
      ),
      ...booleans(
        "mapConcurrentIterable([], fn, { ordered: $ })",
        (_, ordered) => mapConcurrentIterable([], identity, { ordered }),
        "ordered",
      ),
    ],
  },
  "MapConcurrentIterator#next": { none: "takes no arguments" },
  "MapConcurrentIterator#return": { none: "takes no arguments" },
  "sequence": {
    rejects: [
      ...[undefined, 5, {}].map((tasks) =>
        bad(
          "sequence($)",
          (_, t) => sequence(t),
          TypeError,
          "tasks",
          tasks,
          { constraint: "an iterable" },
        )
      ),
      bad("sequence([$])", (_, t) => sequence([t]), TypeError, "tasks[0]", 5, {
        constraint: "a function",
      }),
      ...options("sequence([], $)", (_, o) => sequence([], o)),
      ...signals(
        "sequence([], { signal: $ })",
        (_, signal) => sequence([], { signal }),
      ),
    ],
  },
  "reduce": {
    rejects: [
      ...mapping(
        "reduce",
        reduce as (i: unknown, f: unknown, o?: unknown) => unknown,
        "reducer",
      ).filter((c) => !c.call.includes("concurrency")),
      bad(
        "reduce($, reducer)",
        (_, items) => reduce(items, sum),
        TypeError,
        "items",
        [],
        { constraint: "non-empty without 'initial'" },
      ),
    ],
  },
  "mapReduce": {
    rejects: [
      ...mapping(
        "mapReduce",
        (items, fn, o) =>
          mapReduce(
            items as number[],
            fn as typeof identity,
            (o === undefined ? { reducer: sum, initial: 0 } : o) as never,
          ),
        "mapper",
      ),
      ...options(
        "mapReduce([], fn, $)",
        (_, o) => mapReduce([], identity, o),
        { required: true },
      ),
      ...functions(
        "mapReduce([], fn, { reducer: $ })",
        (_, reducer) => mapReduce([], identity, { reducer, initial: 0 }),
        "reducer",
      ),
      bad(
        "mapReduce([], fn, { reducer })",
        () => mapReduce([], identity, { reducer: sum } as never),
        TypeError,
        "initial",
        undefined,
        { constraint: "given" },
      ),
    ],
  },
  "pipeline": {
    throws: [
      ...functions("pipeline($)", (_, s) => pipeline(s), "stages[0]", [
        undefined,
        5,
        { onError: identity },
      ]),
      ...[5, null, {}].map((stage) =>
        bad(
          "pipeline(fn, $)",
          (_, s) => pipeline(identity, s),
          TypeError,
          "stages[1]",
          stage,
          { constraint: "a function or an object with an onError function" },
        )
      ),
    ],
  },
  "Pipeline()": {
    rejects: [
      ...options("pipeline(fn)(input, $)", (_, o) => pipeline(identity)(1, o)),
      ...signals(
        "pipeline(fn)(input, { signal: $ })",
        (_, signal) => pipeline(identity)(1, { signal }),
      ),
    ],
  },
  "timeout": {
    rejects: [
      ...[undefined, 5, {}].map((work) =>
        bad(
          "timeout($, 10)",
          (ctx, w) => timeout(w, 10, { signal: ctx.signal, clock: ctx.clock }),
          TypeError,
          "work",
          work,
          { constraint: "a thenable or a function" },
        )
      ),
      ...numbers(
        "timeout(task, $)",
        (ctx, ms) =>
          timeout(() => 1, ms, { signal: ctx.signal, clock: ctx.clock }),
        "ms",
        "duration|Infinity",
      ),
      ...options("timeout(task, 10, $)", (_, o) => timeout(() => 1, 10, o)),
      ...signals(
        "timeout(task, 10, { signal: $ })",
        (ctx, signal) => timeout(() => 1, 10, { signal, clock: ctx.clock }),
      ),
      ...clocks(
        "timeout(task, 10, { clock: $ })",
        (ctx, clock) => timeout(() => 1, 10, { signal: ctx.signal, clock }),
      ),
      ...functions(
        "timeout(task, 10, { fallback: $ })",
        (ctx, fallback) =>
          timeout(() => 1, 10, { fallback, clock: ctx.clock } as never),
        "fallback",
        [null, "late"],
      ),
    ],
  },
  "debounce": {
    throws: [
      ...functions(
        "debounce($, 10)",
        (ctx, fn) => debounce(fn, 10, { clock: ctx.clock }),
        "fn",
      ),
      ...numbers(
        "debounce(fn, $)",
        (ctx, ms) => debounce(identity, ms, { clock: ctx.clock }),
        "waitMs",
        "duration",
      ),
      ...options("debounce(fn, 10, $)", (_, o) => debounce(identity, 10, o)),
      ...clocks(
        "debounce(fn, 10, { clock: $ })",
        (_, clock) => debounce(identity, 10, { clock }),
      ),
      ...booleans(
        "debounce(fn, 10, { leading: $ })",
        (ctx, leading) => debounce(identity, 10, { leading, clock: ctx.clock }),
        "leading",
      ),
      ...booleans(
        "debounce(fn, 10, { trailing: $ })",
        (ctx, trailing) =>
          debounce(identity, 10, { trailing, clock: ctx.clock }),
        "trailing",
      ),
      ...numbers(
        "debounce(fn, 10, { maxWaitMs: $ })",
        (ctx, maxWaitMs) =>
          debounce(identity, 10, { maxWaitMs, clock: ctx.clock }),
        "maxWaitMs",
        "duration",
      ),
      bad(
        "debounce(fn, 10, { maxWaitMs: $ })",
        (ctx, maxWaitMs) =>
          debounce(identity, 10, { maxWaitMs, clock: ctx.clock }),
        RangeError,
        "maxWaitMs",
        5,
        { constraint: ">= waitMs (10)" },
      ),
    ],
  },
  "Debounced()": { none: "its arguments go to the function as they are" },
  "Debounced#cancel": { none: "any reason" },
  "Debounced#flush": { none: "takes no arguments" },
  "throttle": {
    throws: [
      ...functions(
        "throttle($, { intervalMs: 10 })",
        (ctx, fn) => throttle(fn, { intervalMs: 10, clock: ctx.clock }),
        "fn",
      ),
      ...options("throttle(fn, $)", (_, o) => throttle(identity, o), {
        required: true,
      }),
      ...numbers(
        "throttle(fn, { intervalMs: $ })",
        (ctx, intervalMs) =>
          throttle(identity, { intervalMs, clock: ctx.clock }),
        "intervalMs",
        "positive",
      ),
      ...numbers(
        "throttle(fn, { limit: $ })",
        (ctx, limit) =>
          throttle(identity, { limit, intervalMs: 10, clock: ctx.clock }),
        "limit",
        "count",
      ),
      ...clocks(
        "throttle(fn, { clock: $ })",
        (_, clock) => throttle(identity, { intervalMs: 10, clock }),
      ),
    ],
  },
  "Throttled()": { none: "its arguments go to the function as they are" },
  "Throttled#cancel": { none: "any reason" },
  "Throttled#flush": { none: "takes no arguments" },
};

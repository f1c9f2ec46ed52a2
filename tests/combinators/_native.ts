/**
 * Inputs for comparing pledge's combinators with the native ones: a
 * description of an iterable of inputs (plain values, native promises,
 * foreign thenables of every behaviour the specification allows, iterators
 * that fail), built afresh for each side, and an observer that records what
 * a combinator did with it: the outcome, the microtask turn it settled in,
 * and how often the inputs were read.
 *
 * @module
 */

import fc from "fast-check";

/** How one input behaves. */
export type InputSpec =
  | { kind: "value" }
  | { kind: "object" }
  | { kind: "promise"; ok: boolean; ticks: number; spy: boolean }
  | { kind: "thenable"; ok: boolean; ticks: number }
  | { kind: "thenThrows"; after: "nothing" | "resolve" | "reject" }
  | { kind: "twice"; calls: ("resolve" | "reject")[] }
  | { kind: "patchedPromise"; calls: ("resolve" | "reject")[]; ticks: number }
  | { kind: "nested"; ok: boolean; foreign: boolean }
  | { kind: "thenGetterThrows" }
  | { kind: "thenNotCallable" }
  | {
    kind: "badPromise";
    how:
      | "constructorThrows"
      | "thenGetterThrows"
      | "thenThrows"
      | "thenNotCallable";
  };

/** How the inputs are handed over, and where the iterator fails. */
export type ShapeSpec =
  | { kind: "array" }
  | {
    kind: "iterator";
    failAt: number;
    how: "next" | "done" | "value" | "result";
  };

const tick = fc.integer({ min: 0, max: 4 });

/** Any input, weighted towards the common ones. */
export const inputArb: fc.Arbitrary<InputSpec> = fc.oneof(
  { arbitrary: fc.constant({ kind: "value" as const }), weight: 3 },
  { arbitrary: fc.constant({ kind: "object" as const }), weight: 1 },
  {
    arbitrary: fc.record({
      kind: fc.constant("promise" as const),
      ok: fc.boolean(),
      ticks: tick,
      spy: fc.boolean(),
    }),
    weight: 5,
  },
  {
    arbitrary: fc.record({
      kind: fc.constant("thenable" as const),
      ok: fc.boolean(),
      ticks: tick,
    }),
    weight: 4,
  },
  {
    arbitrary: fc.record({
      kind: fc.constant("thenThrows" as const),
      after: fc.constantFrom(
        "nothing" as const,
        "resolve" as const,
        "reject" as const,
      ),
    }),
    weight: 1,
  },
  {
    arbitrary: fc.record({
      kind: fc.constant("twice" as const),
      calls: fc.array(
        fc.constantFrom("resolve" as const, "reject" as const),
        { minLength: 2, maxLength: 3 },
      ),
    }),
    weight: 1,
  },
  {
    arbitrary: fc.record({
      kind: fc.constant("patchedPromise" as const),
      calls: fc.array(
        fc.constantFrom("resolve" as const, "reject" as const),
        { minLength: 1, maxLength: 3 },
      ),
      ticks: tick,
    }),
    weight: 1,
  },
  {
    arbitrary: fc.record({
      kind: fc.constant("nested" as const),
      ok: fc.boolean(),
      foreign: fc.boolean(),
    }),
    weight: 1,
  },
  { arbitrary: fc.constant({ kind: "thenGetterThrows" as const }), weight: 1 },
  { arbitrary: fc.constant({ kind: "thenNotCallable" as const }), weight: 1 },
  {
    arbitrary: fc.record({
      kind: fc.constant("badPromise" as const),
      how: fc.constantFrom(
        "constructorThrows" as const,
        "thenGetterThrows" as const,
        "thenThrows" as const,
        "thenNotCallable" as const,
      ),
    }),
    weight: 1,
  },
);

/** An array, or an iterator that may fail at some step. */
export const shapeArb: fc.Arbitrary<ShapeSpec> = fc.oneof(
  { arbitrary: fc.constant({ kind: "array" as const }), weight: 2 },
  {
    arbitrary: fc.record({
      kind: fc.constant("iterator" as const),
      failAt: fc.integer({ min: 0, max: 10 }),
      how: fc.constantFrom(
        "next" as const,
        "done" as const,
        "value" as const,
        "result" as const,
      ),
    }),
    weight: 3,
  },
);

/** What the inputs saw of a combinator. */
export interface Reads {
  /** Calls of the iterator's `next`. */
  next: number;
  /** Calls of the iterator's `return`. */
  closed: number;
  /** Per input: reads of `then` (and of `constructor` for a spied promise). */
  thenReads: number[];
  /** Per input: calls of its `then`. */
  thenCalls: number[];
}

/** Runs `f` after `ticks` microtasks. */
function later(ticks: number, f: () => void): void {
  if (ticks === 0) f();
  else queueMicrotask(() => later(ticks - 1, f));
}

/** Builds fresh inputs for one side of a comparison. */
export function build(
  inputs: readonly InputSpec[],
  shape: ShapeSpec,
): { iterable: Iterable<unknown>; reads: Reads } {
  const reads: Reads = {
    next: 0,
    closed: 0,
    thenReads: inputs.map(() => 0),
    thenCalls: inputs.map(() => 0),
  };
  const items = inputs.map((spec, i) => makeInput(spec, i, reads));
  if (shape.kind === "array") return { iterable: items, reads };
  let index = 0;
  const iterator = {
    next() {
      reads.next++;
      if (index === shape.failAt && shape.how === "next") throw `next${index}`;
      if (index === shape.failAt && shape.how === "result") return 7;
      const done = index >= items.length;
      const value = items[index];
      const failing = index === shape.failAt ? shape.how : undefined;
      index++;
      return {
        get done() {
          if (failing === "done") throw `done${index - 1}`;
          return done;
        },
        get value() {
          if (failing === "value") throw `value${index - 1}`;
          return value;
        },
      };
    },
    return() {
      reads.closed++;
      return {};
    },
  };
  return {
    iterable: { [Symbol.iterator]: () => iterator as Iterator<unknown> },
    reads,
  };
}

function makeInput(spec: InputSpec, i: number, reads: Reads): unknown {
  const v = `v${i}`;
  const e = `e${i}`;
  const counted = (then: unknown) => ({
    get then() {
      reads.thenReads[i]!++;
      return then;
    },
  });
  const thenable = (
    then: (resolve: (x: unknown) => void, reject: (x: unknown) => void) => void,
  ) =>
    counted(function (
      this: unknown,
      resolve: (x: unknown) => void,
      reject: (x: unknown) => void,
    ) {
      reads.thenCalls[i]!++;
      then(resolve, reject);
    });
  switch (spec.kind) {
    case "value":
      return v;
    case "object":
      return { token: v };
    case "promise": {
      const p = new Promise((resolve, reject) =>
        later(spec.ticks, () => (spec.ok ? resolve(v) : reject(e)))
      );
      p.catch(() => {}); // the rejection is handled whatever the combinator does
      if (spec.spy) {
        const then = p.then;
        Object.defineProperty(p, "then", {
          get() {
            reads.thenReads[i]!++;
            return function (this: unknown, ...args: unknown[]) {
              reads.thenCalls[i]!++;
              return Reflect.apply(then, this, args);
            };
          },
        });
        Object.defineProperty(p, "constructor", {
          get() {
            reads.thenReads[i]!++;
            return Promise;
          },
        });
      }
      return p;
    }
    case "thenable":
      return thenable((resolve, reject) =>
        later(spec.ticks, () => (spec.ok ? resolve(v) : reject(e)))
      );
    case "thenThrows":
      return thenable((resolve, reject) => {
        if (spec.after === "resolve") resolve(v);
        if (spec.after === "reject") reject(e);
        throw `t${i}`;
      });
    case "twice":
      return thenable((resolve, reject) => {
        spec.calls.forEach((c, n) =>
          c === "resolve" ? resolve(`${v}.${n}`) : reject(`${e}.${n}`)
        );
      });
    case "patchedPromise": {
      // A native promise whose own `then` calls back as it likes: invoked
      // synchronously, as the specification invokes a promise's `then`.
      const p = Promise.resolve(v);
      Object.defineProperty(p, "then", {
        value(resolve: (x: unknown) => void, reject: (x: unknown) => void) {
          reads.thenCalls[i]!++;
          later(
            spec.ticks,
            () =>
              spec.calls.forEach((c, n) =>
                c === "resolve" ? resolve(`${v}.${n}`) : reject(`${e}.${n}`)
              ),
          );
        },
      });
      return p;
    }
    case "nested":
      return thenable((resolve) => {
        const inner = spec.foreign
          ? {
            then(ok: (x: unknown) => void, fail: (x: unknown) => void) {
              spec.ok ? ok(v) : fail(e);
            },
          }
          : spec.ok
          ? Promise.resolve(v)
          : Promise.reject(e);
        resolve(inner);
      });
    case "thenGetterThrows":
      return {
        get then() {
          reads.thenReads[i]!++;
          throw `g${i}`;
        },
      };
    case "thenNotCallable":
      return counted(5);
    case "badPromise": {
      const p = Promise.resolve(v);
      if (spec.how === "constructorThrows") {
        Object.defineProperty(p, "constructor", {
          get() {
            throw `c${i}`;
          },
        });
      } else if (spec.how === "thenGetterThrows") {
        Object.defineProperty(p, "then", {
          get() {
            throw `g${i}`;
          },
        });
      } else if (spec.how === "thenThrows") {
        Object.defineProperty(p, "then", {
          value() {
            throw `t${i}`;
          },
        });
      } else Object.defineProperty(p, "then", { value: 5 });
      return p;
    }
  }
}

/** What a combinator did with a set of inputs. */
export interface Observed {
  status: "fulfilled" | "rejected" | "pending" | "threw";
  value: unknown;
  /** The microtask turn, counted from the call, in which it settled. */
  turn: number;
  reads: Reads;
}

const TURNS = 40;

/** Renders a reason so that both sides compare: errors by name and errors. */
function normalize(reason: unknown): unknown {
  if (reason instanceof AggregateError) {
    return { name: "AggregateError", errors: reason.errors.map(normalize) };
  }
  if (reason instanceof Error) return { name: reason.name };
  return reason;
}

/**
 * Calls `combinator` with fresh inputs and observes it for {@linkcode TURNS}
 * microtask turns (long after every input has settled).
 */
export async function observe(
  combinator: (values: Iterable<unknown>) => PromiseLike<unknown>,
  inputs: readonly InputSpec[],
  shape: ShapeSpec,
): Promise<Observed> {
  const { iterable, reads } = build(inputs, shape);
  const seen: Observed = {
    status: "pending",
    value: undefined,
    turn: -1,
    reads,
  };
  let out: PromiseLike<unknown>;
  try {
    out = combinator(iterable);
  } catch (error) {
    seen.status = "threw";
    seen.value = normalize(error);
    return seen;
  }
  let turn = 0;
  const { promise: counted, resolve } = Promise.withResolvers<void>();
  const count = () => {
    turn++;
    if (turn < TURNS) queueMicrotask(count);
    else resolve();
  };
  queueMicrotask(count);
  out.then((value) => {
    seen.status = "fulfilled";
    seen.value = value;
    seen.turn = turn;
  }, (reason) => {
    seen.status = "rejected";
    seen.value = normalize(reason);
    seen.turn = turn;
  });
  await counted;
  return seen;
}

/** Whether reading the iterable of `shape` over `count` inputs fails. */
export function failsReading(shape: ShapeSpec, count: number): boolean {
  if (shape.kind === "array") return false;
  return shape.failAt < count ||
    (shape.failAt === count && shape.how !== "value");
}

/**
 * Where pledge's `race` differs from the native one by design: the first
 * input whose outcome is known when it is read (a plain value, an object
 * without a callable `then`, one whose `then` getter throws) wins once every
 * input is read, unless reading fails (an error of the iterable, or of a
 * native promise's `then`: those win on both sides), or a native promise's
 * own `then` calls back while it is read (it wins on both sides too).
 * Returns the index of
 * that input, or `undefined` when the native outcome applies.
 */
export function earlyRace(
  inputs: readonly InputSpec[],
  shape: ShapeSpec,
): number | undefined {
  if (failsReading(shape, inputs.length)) return undefined;
  if (
    inputs.some((spec) =>
      spec.kind === "badPromise" ||
      (spec.kind === "patchedPromise" && spec.ticks === 0)
    )
  ) return undefined;
  const index = inputs.findIndex((spec) =>
    spec.kind === "value" || spec.kind === "object" ||
    spec.kind === "thenGetterThrows" || spec.kind === "thenNotCallable"
  );
  return index < 0 ? undefined : index;
}

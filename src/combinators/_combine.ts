/**
 * The engine behind `all`, `allSettled`, `race`, `any` and their winner
 * forms. Over an iterable it follows the ECMAScript algorithms of
 * `Promise.all` and friends (GetIterator, PerformPromiseAll, IteratorClose):
 * `Symbol.iterator`, `next`, `done`, `value` and each thenable's `then` are
 * read once, in the native order; an error of a later step closes the
 * iterator, one of the iterator itself does not; results are written as own
 * data properties; and every outcome reaches the result in the microtask turn
 * where the native reaction would run. pledge's own additions: task
 * functions `(signal) => value`, records, a caller's `signal`, settled
 * `Future`s read like plain values, and `race` settling, as soon as every
 * input is read, on the first outcome already known when it was read.
 *
 * @module
 */

import { decidedError } from "../core/_reasons.ts";
import {
  assertOptions,
  assertSignal,
  invalidMessage,
} from "../core/_validate.ts";
import { onAbort } from "../cancel/signals.ts";
import { Future } from "../future/future.ts";
import {
  detachReaction,
  FULFILLED,
  outcomeOf,
  PENDING,
  pendingFuture,
  rejectFuture,
  resolveFuture,
  stateOf,
} from "../future/_settle.ts";

/** Which combinator runs. */
export type Mode = "all" | "allSettled" | "race" | "any";

/** What the engine needs from the caller's options. */
interface Options {
  signal?: AbortSignal;
}

type Callback = (value: unknown) => void;
type AnyFunction = (...args: unknown[]) => unknown;

// Intrinsics, captured when the module loads: what user code patches later
// (`Array.prototype`, `Promise.prototype.then`, `AggregateError`) changes how
// pledge reads inputs only where it changes the native combinators too.
const { apply, defineProperty, getPrototypeOf } = Reflect;
const isArray = Array.isArray;
const objectKeys = Object.keys;
const ArrayPrototype = Array.prototype;
const ObjectPrototype = Object.prototype;
const arrayValues = ArrayPrototype[Symbol.iterator];
const ArrayIteratorPrototype = getPrototypeOf(
  apply(arrayValues, [], []),
) as { next: unknown };
const arrayIteratorNext = ArrayIteratorPrototype.next;
const PromiseConstructor = Promise;
const promiseThen = Promise.prototype.then;
const futureThen = Future.prototype.then;
const AggregateErrorConstructor = AggregateError;
const enqueue = queueMicrotask;
const NO_ARGS: readonly never[] = Object.freeze([]);
/** An iterable of nothing whose reading touches no intrinsic. */
const NO_ERRORS: Iterable<never> = Object.freeze({
  [Symbol.iterator]: () => ({ next: () => ({ done: true, value: undefined }) }),
}) as unknown as Iterable<never>;
/** The longest array whose result list is allocated at its full length. */
const PREALLOCATE = 1 << 16;

function noop(): void {}

/** What a task read by `add` returned when it was not started or threw. */
const NOT_STARTED: unknown = Symbol("not started");

function isObject(x: unknown): x is object {
  return (typeof x === "object" && x !== null) || typeof x === "function";
}

/**
 * Writes `list[i] = value` as an own data property, as CreateDataProperty
 * does: a setter on `Array.prototype` (or `Object.prototype`) never runs.
 */
function put(list: unknown[], i: number, value: unknown): void {
  if (i in ArrayPrototype) {
    defineProperty(list, i, {
      value,
      writable: true,
      enumerable: true,
      configurable: true,
    });
  } else list[i] = value;
}

/** Like {@linkcode put}, for a key of a record (`__proto__` included). */
function putKey(
  record: Record<string, unknown>,
  key: string,
  value: unknown,
): void {
  if (key in ObjectPrototype) {
    defineProperty(record, key, {
      value,
      writable: true,
      enumerable: true,
      configurable: true,
    });
  } else record[key] = value;
}

/** IteratorClose for a throw completion: what `return` does is ignored. */
function closeIterator(iterator: object): void {
  try {
    const close = (iterator as { return?: unknown }).return;
    if (close !== undefined && close !== null) {
      apply(close as AnyFunction, iterator, NO_ARGS);
    }
  } catch {
    // The error that made us close wins, as in the specification.
  }
}

/** Outcomes known when their inputs were read, run in one microtask turn. */
class Run {
  /**
   * Whether it holds the outcome that decides (all: the first rejection;
   * any: the first value); known outcomes read after it are ignored.
   */
  decides = false;
  value: unknown = undefined;
}

class Combination {
  readonly out = pendingFuture<unknown>();
  readonly action: string;
  readonly mode: Mode;
  readonly withWinner: boolean;
  readonly signal: AbortSignal | undefined;
  keys: string[] | undefined = undefined;
  /** Values (all), outcomes (allSettled) or reasons (any), by index. */
  results: unknown[] = [];
  /** Inputs read, once reading ends. */
  count = 0;
  /**
   * What must still reach the result: inputs waited on through a callback,
   * and one per run not flushed yet.
   */
  unsettled = 0;
  /** Whether an outcome comes from a callback (not only from runs). */
  waits = false;
  reading = true;
  done = false;
  /** A known outcome will decide: tasks read after it are not started. */
  certain = false;
  run: Run | undefined = undefined;
  /** race: the first outcome known when read. */
  early: { ok: boolean; value: unknown } | undefined = undefined;
  controller: AbortController | undefined = undefined;
  registration: Disposable | undefined = undefined;
  /**
   * Pending `Future` inputs and the reactions put on them, in pairs: taken
   * off once the outcome is decided, so that a long-lived input (a shutdown
   * future raced against each request) keeps nothing of a finished call.
   */
  attached: Future<unknown>[] | undefined = undefined;
  #reject: Callback | undefined = undefined;
  #resolve: Callback | undefined = undefined;

  constructor(
    action: string,
    mode: Mode,
    withWinner: boolean,
    signal: AbortSignal | undefined,
  ) {
    this.action = action;
    this.mode = mode;
    this.withWinner = withWinner;
    this.signal = signal;
  }

  /**
   * Reads input `i`: starts a task, then takes its result, a thenable or a
   * plain value, as PerformPromiseAll takes `Promise.resolve(input)`. Throws
   * (an abrupt completion: the caller closes the iterator) only where the
   * specification does: reading `constructor` or `then` of a native promise,
   * or calling that `then`.
   */
  add(item: unknown, i: number): void {
    if (typeof item === "function") {
      item = this.startTask(item as AnyFunction, i);
      if (item === NOT_STARTED) return;
    }
    if (item instanceof Future) this.addFuture(item, i);
    else if (
      item instanceof PromiseConstructor &&
      (item as Promise<unknown>).constructor === PromiseConstructor
    ) {
      // PromiseResolve: a native promise is used as it is when its
      // constructor is Promise, and its `then` invoked now.
      this.invoke(item, (item as Promise<unknown>).then, i);
    } else if (!isObject(item)) this.knownValue(i, item);
    else this.addThenable(item, i);
  }

  /**
   * Calls task `i` with the combination's signal and returns what it
   * returned, or {@linkcode NOT_STARTED} (decided already, or it threw).
   */
  startTask(task: AnyFunction, i: number): unknown {
    if (this.done || this.certain) return NOT_STARTED; // decided
    const controller = this.controller ??= new AbortController();
    // What the task queues runs before the outcomes read after it.
    this.run = undefined;
    try {
      return task(controller.signal);
    } catch (error) {
      this.known(i, false, error);
      return NOT_STARTED;
    }
  }

  /**
   * Reads input `i`, a `Future`: its `then` once, as for any thenable; when
   * it is the unpatched one, a settled future is read at once, through its
   * private state (no getter a caller could shadow runs), and a pending one
   * gets a reaction.
   */
  addFuture(item: Future<unknown>, i: number): void {
    let then;
    try {
      then = item.then;
    } catch (error) {
      this.known(i, false, error);
      return;
    }
    if (then !== futureThen) {
      if (typeof then === "function") this.foreign(item, then, i);
      else this.known(i, true, item);
      return;
    }
    const state = stateOf(item);
    if (state === FULFILLED) this.knownValue(i, outcomeOf(item));
    else if (state !== PENDING) {
      futureThen.call(item, undefined, noop); // handled here
      this.known(i, false, outcomeOf(item));
    } else {
      this.waits = true;
      this.unsettled++;
      const reaction = futureThen.call(
        item,
        this.onFulfilled(i),
        this.onRejected(i),
      );
      (this.attached ??= []).push(item, reaction);
    }
  }

  /** Reads input `i`, any other object: its `then` once. */
  addThenable(item: object, i: number): void {
    let then;
    try {
      then = (item as { then?: unknown }).then;
    } catch (error) {
      this.known(i, false, error);
      return;
    }
    if (typeof then === "function") this.foreign(item, then, i);
    else this.known(i, true, item);
  }

  /** Invoke(promise, "then", ...): synchronous, a throw is abrupt. */
  invoke(item: object, then: unknown, i: number): void {
    this.run = undefined;
    if (typeof then !== "function") {
      throw new TypeError(
        invalidMessage(this.action, `values[${i}].then`, "a function", then),
      );
    }
    this.waits = true;
    this.unsettled++;
    const onFulfilled = this.onFulfilled(i);
    const onRejected = this.onRejected(i);
    if (then === promiseThen) promiseThen.call(item, onFulfilled, onRejected);
    else apply(then as AnyFunction, item, [onFulfilled, onRejected]);
  }

  /**
   * A foreign thenable, adopted as `Promise.resolve` adopts it: its `then`
   * (already read) is called in a microtask of its own, with resolving
   * functions that take the first call only.
   */
  foreign(item: object, then: unknown, i: number): void {
    this.run = undefined;
    this.waits = true;
    this.unsettled++;
    const adopted = new PromiseConstructor((resolve, reject) => {
      enqueue(() => {
        try {
          apply(then as AnyFunction, item, [resolve, reject]);
        } catch (error) {
          reject(error);
        }
      });
    });
    promiseThen.call(adopted, this.onFulfilled(i), this.onRejected(i));
  }

  /** The fulfilment callback of input `i` (shared where no index is needed). */
  onFulfilled(i: number): Callback {
    switch (this.mode) {
      case "all":
        return this.settleOnce(i);
      case "allSettled":
        return this.settledPair(i, true);
      default: // race, any: the first value wins
        if (this.withWinner) {
          return (value) => this.decide(true, this.winner(i, value));
        }
        return this.#resolve ??= (value) => this.decide(true, value);
    }
  }

  /** The rejection callback of input `i`. */
  onRejected(i: number): Callback {
    switch (this.mode) {
      case "allSettled":
        return this.settledPair(i, false);
      case "any":
        return this.settleOnce(i);
      default: // all, race: the first rejection decides
        return this.#reject ??= (reason) => this.decide(false, reason);
    }
  }

  // allSettled: one "already called" flag for both callbacks of an input,
  // as the specification's resolve and reject element functions share it.
  #flags: { called: boolean } | undefined = undefined;
  settledPair(i: number, fulfilled: boolean): Callback {
    // onFulfilled is asked first: it creates the flag onRejected shares.
    const flag = fulfilled ? (this.#flags = { called: false }) : this.#flags!;
    return (value) => {
      if (flag.called) return;
      flag.called = true;
      this.settleOne(
        i,
        fulfilled
          ? { status: "fulfilled", value }
          : { status: "rejected", reason: value },
      );
    };
  }

  /**
   * A resolve element function (a value of all) or reject element function
   * (a reason of any): records the first call only.
   */
  settleOnce(i: number): Callback {
    let called = false;
    return (result) => {
      if (called) return;
      called = true;
      this.settleOne(i, result);
    };
  }

  /** Records the outcome of input `i` that does not decide alone. */
  settleOne(i: number, result: unknown): void {
    if (this.done) return;
    put(this.results, i, result);
    this.unsettled--;
    this.check();
  }

  /**
   * A value known when input `i` was read: {@linkcode known}, with the
   * common case of `all` (a run already open) kept short enough to inline.
   */
  knownValue(i: number, value: unknown): void {
    if (this.certain) return;
    const run = this.run;
    if (run !== undefined && this.mode === "all" && !this.done) {
      put(this.results, i, value);
    } else this.known(i, true, value);
  }

  /**
   * An outcome known when input `i` was read. `race` settles with the first
   * one as soon as every input is read; the others take it in the next
   * microtask turn, where the native reaction would run, together with the
   * known outcomes read next to it.
   */
  known(i: number, ok: boolean, value: unknown): void {
    // Once a known outcome decides, the others known later cannot matter.
    if (this.done || this.certain) return;
    const mode = this.mode;
    if (mode === "race") {
      // The first known outcome wins once the inputs are read (before an
      // error of the iterable, which natively comes first too).
      this.certain = true;
      this.early = { ok, value: ok ? this.winner(i, value) : value };
      return;
    }
    let decides = false;
    if (mode === "all") {
      if (ok) put(this.results, i, value);
      else decides = true;
    } else if (mode === "any") {
      if (ok) (decides = true, value = this.winner(i, value));
      else put(this.results, i, value);
    } else {
      put(
        this.results,
        i,
        ok
          ? { status: "fulfilled", value }
          : { status: "rejected", reason: value },
      );
    }
    let run = this.run;
    if (run === undefined) {
      const created = run = this.run = new Run();
      this.unsettled++; // until the run is flushed
      enqueue(() => this.flush(created));
    }
    if (decides) {
      this.certain = true;
      run.decides = true;
      run.value = value;
    }
  }

  flush(run: Run): void {
    if (this.run === run) this.run = undefined;
    this.unsettled--;
    if (this.done) return;
    // Without inputs to wait for, no listener watches the caller's signal.
    const signal = this.signal;
    if (signal !== undefined && signal.aborted) {
      this.decide(false, signal.reason, true);
    } else if (run.decides) this.decide(this.mode === "any", run.value);
    else this.check();
  }

  /** Settles once every input has been read and has settled. */
  check(): void {
    if (this.reading || this.unsettled !== 0 || this.done) return;
    const mode = this.mode;
    if (mode === "any") this.decide(false, this.aggregate(), false, true);
    else if (mode !== "race") this.decide(true, this.shape(), false, true);
  }

  winner(i: number, value: unknown): unknown {
    if (!this.withWinner) return value;
    return { key: this.keys === undefined ? i : this.keys[i], value };
  }

  shape(): unknown {
    const results = this.results;
    results.length = this.count;
    const keys = this.keys;
    if (keys === undefined) return results;
    const record: Record<string, unknown> = {};
    for (let i = 0; i < keys.length; i++) {
      putKey(record, keys[i]!, results[i]);
    }
    return record;
  }

  aggregate(): AggregateError {
    const errors = this.results;
    errors.length = this.count;
    const error = new AggregateErrorConstructor(
      NO_ERRORS,
      this.count === 0 ? "No input was given" : "Every input rejected",
    );
    defineProperty(error, "errors", {
      value: errors,
      writable: true,
      enumerable: false,
      configurable: true,
    });
    return error;
  }

  /**
   * Settles the output. `aborted` when the caller's signal decided;
   * `complete` when every input has settled (no task left to abort).
   */
  decide(
    ok: boolean,
    value: unknown,
    aborted = false,
    complete = false,
  ): void {
    if (this.done) return;
    this.done = true;
    const registration = this.registration;
    if (registration !== undefined) {
      this.registration = undefined;
      registration[Symbol.dispose]();
    }
    const attached = this.attached;
    if (attached !== undefined) {
      this.attached = undefined;
      // A settled input has no reaction left to take off.
      if (!complete) {
        for (let i = 0; i < attached.length; i += 2) {
          detachReaction(attached[i]!, attached[i + 1]!);
        }
      }
    }
    const controller = this.controller;
    if (controller !== undefined && !complete) {
      controller.abort(aborted ? value : decidedError());
    }
    if (ok) resolveFuture(this.out, value);
    else rejectFuture(this.out, value);
  }

  /** An array whose iteration is the built-in one: read by index. */
  readArray(values: unknown[]): void {
    let stepping = true;
    let i = 0;
    try {
      for (;; i++) {
        stepping = true;
        const length = values.length;
        if (i >= length) break;
        if (i === 0 && length <= PREALLOCATE) this.results = new Array(length);
        const item = values[i];
        stepping = false;
        this.add(item, i);
      }
      this.count = i;
    } catch (error) {
      if (!stepping) closeIterator(apply(arrayValues, values, NO_ARGS));
      this.decide(false, error);
    }
  }

  /** Any other iterable, through its iterator. */
  readIterable(values: unknown, method: AnyFunction): void {
    const action = this.action;
    let iterator: unknown;
    let next: unknown;
    try {
      iterator = apply(method, values, NO_ARGS);
      if (!isObject(iterator)) {
        throw new TypeError(
          invalidMessage(
            action,
            "values[Symbol.iterator]()",
            "an object",
            iterator,
          ),
        );
      }
      next = (iterator as { next?: unknown }).next;
    } catch (error) {
      this.decide(false, error);
      return;
    }
    let stepping = true;
    let i = 0;
    try {
      for (;; i++) {
        stepping = true;
        if (typeof next !== "function") {
          throw new TypeError(
            invalidMessage(
              action,
              "values[Symbol.iterator]().next",
              "a function",
              next,
            ),
          );
        }
        const step = apply(next as AnyFunction, iterator, NO_ARGS);
        if (!isObject(step)) {
          throw new TypeError(
            invalidMessage(
              action,
              "values[Symbol.iterator]().next()",
              "an object",
              step,
            ),
          );
        }
        if ((step as IteratorResult<unknown>).done) break;
        const item = (step as IteratorResult<unknown>).value;
        stepping = false;
        this.add(item, i);
      }
      this.count = i;
    } catch (error) {
      if (!stepping) closeIterator(iterator as object);
      this.decide(false, error);
    }
  }

  /** A record: its own enumerable string keys, in order. */
  readRecord(record: Record<string, unknown>): void {
    try {
      const keys = objectKeys(record);
      this.keys = keys;
      for (let i = 0; i < keys.length; i++) this.add(record[keys[i]!], i);
      this.count = keys.length;
    } catch (error) {
      this.decide(false, error);
    }
  }

  /** Everything is read: settles what is complete, watches the signal. */
  finish(values: unknown): void {
    this.reading = false;
    if (this.done) return;
    if (this.count === 0 && this.mode === "race") {
      // Natively a race of nothing never settles.
      this.decide(
        false,
        new RangeError(
          invalidMessage(this.action, "values", "non-empty", values),
        ),
      );
      return;
    }
    const signal = this.signal;
    if (signal !== undefined && signal.aborted) {
      // A task aborted the caller's signal while it was called.
      this.decide(false, signal.reason, true);
      return;
    }
    const early = this.early;
    if (early !== undefined) {
      this.decide(early.ok, early.value);
      return;
    }
    this.check();
    if (!this.done && signal !== undefined && this.waits) {
      this.registration = onAbort(signal, (reason) => {
        this.registration = undefined;
        this.decide(false, reason, true);
      });
    }
  }
}

/** The TypeError of a `values` that is neither iterable nor a record. */
function notIterable(
  action: string,
  values: unknown,
  thenable = false,
): TypeError {
  return new TypeError(
    `${
      invalidMessage(
        action,
        "values",
        "an iterable or a record (a plain object)",
        values,
      )
    }${thenable ? " with a then method" : ""}, which is not iterable`,
  );
}

function isPlain(values: object): boolean {
  const proto = getPrototypeOf(values);
  return proto === ObjectPrototype || proto === null;
}

/**
 * Runs one combinator over `values`. Never throws: a bad argument rejects
 * the returned future.
 *
 * @param action The action for error messages (`"run all()"`).
 */
export function combine(
  action: string,
  mode: Mode,
  values: unknown,
  options: Options | undefined,
  withWinner: boolean,
): Future<unknown> {
  let signal: AbortSignal | undefined;
  let method: unknown;
  let record = false;
  try {
    if (options !== undefined) {
      assertOptions(action, options);
      signal = options.signal;
      assertSignal(action, signal);
    }
    if (values === null || values === undefined) {
      throw notIterable(action, values);
    }
    // GetIterator reads Symbol.iterator once; a throwing getter rejects.
    method = (values as { [Symbol.iterator]?: unknown })[Symbol.iterator];
    if (method === undefined || method === null) {
      // A Symbol.iterator set to undefined or null is not iterable (as
      // natively), and asks to be iterated: not a record either.
      if (
        typeof values !== "object" || !isPlain(values) ||
        Symbol.iterator in values
      ) throw notIterable(action, values);
      if (typeof (values as { then?: unknown }).then === "function") {
        throw notIterable(action, values, true);
      }
      record = true;
    } else if (typeof method !== "function") {
      throw notIterable(action, values);
    }
  } catch (error) {
    return Future.reject(error);
  }
  if (signal !== undefined && signal.aborted) {
    return Future.reject(signal.reason);
  }
  const op = new Combination(action, mode, withWinner, signal);
  if (record) op.readRecord(values as Record<string, unknown>);
  else if (
    method === arrayValues && isArray(values) &&
    ArrayIteratorPrototype.next === arrayIteratorNext
  ) op.readArray(values);
  else op.readIterable(values, method as AnyFunction);
  op.finish(values);
  return op.out;
}

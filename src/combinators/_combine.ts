/**
 * The engine behind `all`, `allSettled`, `race`, `any` and their winner
 * forms: reads an iterable or a record, calls task functions with one shared
 * signal, reads settled futures synchronously, and decides the outcome.
 *
 * @module
 */

import {
  assertOptions,
  assertSignal,
  rangeError,
  typeError,
} from "../core/_validate.ts";
import { onAbort } from "../cancel/signals.ts";
import { Future } from "../future/future.ts";
import {
  pendingFuture,
  rejectFuture,
  resolveFuture,
} from "../future/_settle.ts";
import { decidedReason, isThenable, noop } from "./_support.ts";

/** Which combinator runs. */
export type Mode = "all" | "allSettled" | "race" | "any";

/** What the engine needs from the caller's options. */
interface Options {
  signal?: AbortSignal;
}

/** Tells an iterable from a record; throws a TypeError for anything else. */
function isIterable(action: string, values: unknown): boolean {
  if (
    values !== null && values !== undefined &&
    typeof (values as Iterable<unknown>)[Symbol.iterator] === "function"
  ) {
    return true;
  }
  if (typeof values !== "object" || values === null || isThenable(values)) {
    typeError(action, "values", "an iterable or a record", values);
  }
  return false;
}

class Combination {
  readonly out = pendingFuture<unknown>();
  readonly mode: Mode;
  readonly withWinner: boolean;
  keys: string[] | undefined = undefined;
  results: unknown[] = [];
  /** Inputs attached and not settled yet. */
  pending = 0;
  /** Inputs read so far. */
  count = 0;
  reading = true;
  done = false;
  /** Set once a foreign thenable was read: later futures are not inspected. */
  foreign = false;
  controller: AbortController | undefined = undefined;
  registration: Disposable | undefined = undefined;

  constructor(mode: Mode, withWinner: boolean) {
    this.mode = mode;
    this.withWinner = withWinner;
  }

  /** Reads input `i`: a task, a future, a thenable or a plain value. */
  add(item: unknown, i: number): void {
    if (typeof item === "function") {
      if (this.done) return; // decided: later tasks are not started
      if (this.controller === undefined) {
        this.controller = new AbortController();
      }
      try {
        item = item(this.controller.signal);
      } catch (error) {
        this.rejected(i, error);
        return;
      }
    }
    if (item instanceof Future) {
      if (!this.foreign && item.isSettled) {
        if (item.state === "fulfilled") this.fulfilled(i, item.value);
        else {
          item.then(undefined, noop); // handled here
          this.rejected(i, item.reason);
        }
        return;
      }
    } else if (isThenable(item)) {
      this.foreign = true;
      if (!(item instanceof Promise)) item = Future.resolve(item);
    } else {
      this.fulfilled(i, item);
      return;
    }
    if (this.done) {
      (item as PromiseLike<unknown>).then(undefined, noop);
      return;
    }
    this.pending++;
    (item as PromiseLike<unknown>).then((value) => {
      if (this.done) return;
      this.pending--;
      this.fulfilled(i, value);
    }, (error) => {
      if (this.done) return;
      this.pending--;
      this.rejected(i, error);
    });
  }

  fulfilled(i: number, value: unknown): void {
    if (this.done) return;
    switch (this.mode) {
      case "all":
        this.results[i] = value;
        this.check();
        return;
      case "allSettled":
        this.results[i] = { status: "fulfilled", value };
        this.check();
        return;
      default: // race, any: the first value wins
        this.decide(true, this.winner(i, value));
    }
  }

  rejected(i: number, reason: unknown): void {
    if (this.done) return;
    switch (this.mode) {
      case "allSettled":
        this.results[i] = { status: "rejected", reason };
        this.check();
        return;
      case "any":
        this.results[i] = reason;
        this.check();
        return;
      default: // all, race: the first rejection decides
        this.decide(false, reason);
    }
  }

  /** Settles once every input has been read and has settled. */
  check(): void {
    if (this.reading || this.pending !== 0 || this.done) return;
    const mode = this.mode;
    if (mode === "any") {
      const errors = this.results;
      errors.length = this.count;
      this.decide(
        false,
        new AggregateError(
          errors,
          this.count === 0 ? "No input was given" : "Every input rejected",
        ),
      );
    } else if (mode !== "race") {
      this.decide(true, this.shape(this.results));
    }
  }

  winner(i: number, value: unknown): unknown {
    if (!this.withWinner) return value;
    return { key: this.keys === undefined ? i : this.keys[i], value };
  }

  shape(results: unknown[]): unknown {
    results.length = this.count;
    const keys = this.keys;
    if (keys === undefined) return results;
    const record: Record<string, unknown> = {};
    for (let i = 0; i < keys.length; i++) record[keys[i]!] = results[i];
    return record;
  }

  /** Settles the output; `aborted` when the caller's signal decided. */
  decide(ok: boolean, value: unknown, aborted = false): void {
    if (this.done) return;
    this.done = true;
    const registration = this.registration;
    if (registration !== undefined) {
      this.registration = undefined;
      registration[Symbol.dispose]();
    }
    const controller = this.controller;
    if (controller !== undefined && (this.pending !== 0 || this.reading)) {
      controller.abort(aborted ? value : decidedReason());
    }
    if (ok) resolveFuture(this.out, value);
    else rejectFuture(this.out, value);
  }
}

/**
 * Runs one combinator over `values`.
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
  if (options !== undefined) {
    assertOptions(action, options);
    signal = options.signal;
    assertSignal(action, signal);
  }
  const iterable = isIterable(action, values);
  if (mode === "race" && Array.isArray(values) && values.length === 0) {
    rangeError(action, "values", "non-empty", values);
  }
  if (signal !== undefined && signal.aborted) {
    return Future.reject(signal.reason);
  }
  const op = new Combination(mode, withWinner);
  let i = 0;
  try {
    if (iterable) {
      if (Array.isArray(values)) {
        op.results = new Array(values.length);
        for (; i < values.length; i++) op.add(values[i], i);
      } else {
        for (const item of values as Iterable<unknown>) op.add(item, i++);
      }
    } else {
      const record = values as Record<string, unknown>;
      const keys = Object.keys(record);
      op.keys = keys;
      for (; i < keys.length; i++) op.add(record[keys[i]!], i);
    }
  } catch (error) {
    // The iterable (or a getter of the record) threw.
    op.count = i;
    op.decide(false, error);
    return op.out;
  }
  op.count = i;
  op.reading = false;
  if (i === 0 && mode === "race") {
    // An empty iterable other than an array: nothing was started.
    rangeError(action, "values", "non-empty", values);
  }
  op.check();
  // Reading is synchronous, so the caller's signal is watched only from
  // here, and only when the outcome is still open (a task may have aborted
  // it while being called).
  if (!op.done && signal !== undefined) {
    if (signal.aborted) op.decide(false, signal.reason, true);
    else {
      op.registration = onAbort(signal, (reason) => {
        op.registration = undefined;
        op.decide(false, reason, true);
      });
    }
  }
  return op.out;
}

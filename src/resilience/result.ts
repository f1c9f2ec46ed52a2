/**
 * `Result<T, E>`: a success or a failure as a plain value, so that failures
 * can be passed around, stored and pattern-matched without `try`/`catch`.
 *
 * The helpers live on the {@linkcode Result} object (`Result.ok`,
 * `Result.attempt`, `Result.map`...), next to the type of the same name.
 *
 * @module
 */

import { assertFunction, typeError } from "../core/_validate.ts";
import { thenOf } from "../core/_thenable.ts";
import { Future } from "../future/future.ts";

/**
 * A success holding `value`.
 *
 * @typeParam T The type of the value.
 */
export interface Ok<T> {
  /** Always `true`: this is a success. */
  readonly ok: true;
  /** The value. */
  readonly value: T;
}

/**
 * A failure holding `error`.
 *
 * @typeParam E The type of the error.
 */
export interface Err<E> {
  /** Always `false`: this is a failure. */
  readonly ok: false;
  /** The error. */
  readonly error: E;
}

/**
 * A success (`{ ok: true, value }`) or a failure (`{ ok: false, error }`):
 * plain, JSON-friendly objects that `if (result.ok)` narrows.
 *
 * @typeParam T The type of the value.
 * @typeParam E The type of the error.
 */
export type Result<T, E = unknown> = Ok<T> | Err<E>;

/**
 * What {@linkcode ResultFunctions.attempt} returns for a function returning
 * `T`: a future of a result when `T` is a promise-like, a result otherwise
 * (and a result when `T` is `any`, the common case of `JSON.parse`).
 *
 * @typeParam T The return type of the function.
 * @typeParam E The type of the error.
 */
export type AttemptOutcome<T, E = unknown> = 0 extends 1 & T ? Result<T, E>
  : T extends PromiseLike<infer U> ? Future<Result<U, E>>
  : Result<T, E>;

/** The two handlers of {@linkcode ResultFunctions.match}. */
export interface MatchHandlers<T, E, R> {
  /** Called with the value of a success. */
  ok: (value: T) => R;
  /** Called with the error of a failure. */
  err: (error: E) => R;
}

/** The helpers on the {@linkcode Result} object. */
export interface ResultFunctions {
  /**
   * Makes a success.
   *
   * @typeParam T The type of the value.
   * @param value The value.
   * @returns `{ ok: true, value }`.
   *
   * @example A success
   * ```ts
   * import { Result } from "@pledge/core";
   * import assert from "node:assert/strict";
   *
   * assert.deepEqual(Result.ok(1), { ok: true, value: 1 });
   * ```
   */
  ok<T>(value: T): Ok<T>;
  /**
   * Makes a failure.
   *
   * @typeParam E The type of the error.
   * @param error The error.
   * @returns `{ ok: false, error }`.
   *
   * @example A failure
   * ```ts
   * import { Result } from "@pledge/core";
   * import assert from "node:assert/strict";
   *
   * assert.deepEqual(Result.err("nope"), { ok: false, error: "nope" });
   * ```
   */
  err<E>(error: E): Err<E>;
  /**
   * Runs `fn` and captures its outcome. A synchronous function gives a
   * result at once; a function returning a promise-like gives a future of a
   * result that never rejects. What `fn` throws or rejects with becomes the
   * error; nothing escapes.
   *
   * @typeParam T The return type of `fn`.
   * @typeParam E The type of the error (`unknown` unless you know better).
   * @param fn The function to run, with no arguments.
   * @returns The result, or a future of it when `fn` returned a promise-like.
   * @throws {TypeError} If `fn` is not a function (the only thing it throws).
   *
   * @example Synchronous and asynchronous work
   * ```ts
   * import { Result } from "@pledge/core";
   * import assert from "node:assert/strict";
   *
   * const parsed = Result.attempt(() => JSON.parse("{oops"));
   * assert.equal(parsed.ok, false);
   * if (!parsed.ok) assert.ok(parsed.error instanceof SyntaxError);
   *
   * const fetched = await Result.attempt(async () => 42);
   * assert.deepEqual(fetched, { ok: true, value: 42 });
   * ```
   */
  attempt<T, E = unknown>(fn: () => T): AttemptOutcome<T, E>;
  /**
   * Transforms the value of a success; a failure passes through unchanged.
   *
   * @typeParam T The type of the value.
   * @typeParam E The type of the error.
   * @typeParam U The type of the new value.
   * @param result The result.
   * @param fn Maps the value.
   * @returns A new success, or the same failure.
   * @throws {TypeError} If `result` is not a result or `fn` not a function.
   *
   * @example Doubling a value
   * ```ts
   * import { Result } from "@pledge/core";
   * import assert from "node:assert/strict";
   *
   * assert.deepEqual(Result.map(Result.ok(2), (x) => x * 2), Result.ok(4));
   * const failed = Result.err("no");
   * assert.equal(Result.map(failed, (x: number) => x * 2), failed);
   * ```
   */
  map<T, E, U>(result: Result<T, E>, fn: (value: T) => U): Result<U, E>;
  /**
   * Transforms the error of a failure; a success passes through unchanged.
   *
   * @typeParam T The type of the value.
   * @typeParam E The type of the error.
   * @typeParam F The type of the new error.
   * @param result The result.
   * @param fn Maps the error.
   * @returns A new failure, or the same success.
   * @throws {TypeError} If `result` is not a result or `fn` not a function.
   *
   * @example Turning an error into a message
   * ```ts
   * import { Result } from "@pledge/core";
   * import assert from "node:assert/strict";
   *
   * const failed = Result.err(new Error("disk full"));
   * assert.deepEqual(Result.mapError(failed, (e) => e.message), Result.err("disk full"));
   * ```
   */
  mapError<T, E, F>(result: Result<T, E>, fn: (error: E) => F): Result<T, F>;
  /**
   * Returns the value of a success, or `fallback` for a failure.
   *
   * @typeParam T The type of the value.
   * @typeParam U The type of the fallback.
   * @param result The result.
   * @param fallback The value to use for a failure.
   * @returns The value or the fallback.
   * @throws {TypeError} If `result` is not a result.
   *
   * @example A default value
   * ```ts
   * import { Result } from "@pledge/core";
   * import assert from "node:assert/strict";
   *
   * assert.equal(Result.unwrapOr(Result.ok(3), 0), 3);
   * assert.equal(Result.unwrapOr(Result.err("no"), 0), 0);
   * ```
   */
  unwrapOr<T, U>(result: Result<T, unknown>, fallback: U): T | U;
  /**
   * Calls `handlers.ok` with the value of a success or `handlers.err` with the
   * error of a failure, and returns what it returns.
   *
   * @typeParam T The type of the value.
   * @typeParam E The type of the error.
   * @typeParam R What the handlers return.
   * @param result The result.
   * @param handlers `ok` and `err`.
   * @returns What the called handler returned.
   * @throws {TypeError} If `result` is not a result or a handler is not a
   *   function.
   *
   * @example Rendering either case
   * ```ts
   * import { Result } from "@pledge/core";
   * import assert from "node:assert/strict";
   *
   * const render = (r: Result<number, string>) =>
   *   Result.match(r, { ok: (v) => `value ${v}`, err: (e) => `error ${e}` });
   * assert.equal(render(Result.ok(1)), "value 1");
   * assert.equal(render(Result.err("x")), "error x");
   * ```
   */
  match<T, E, R>(result: Result<T, E>, handlers: MatchHandlers<T, E, R>): R;
  /**
   * Whether `result` is a success; narrows its type.
   *
   * @typeParam T The type of the value.
   * @typeParam E The type of the error.
   * @param result The result.
   * @returns `true` for a success.
   * @throws {TypeError} If `result` is not a result.
   *
   * @example Filtering successes
   * ```ts
   * import { Result } from "@pledge/core";
   * import assert from "node:assert/strict";
   *
   * const all = [Result.ok(1), Result.err("x"), Result.ok(2)];
   * assert.deepEqual(all.filter(Result.isOk).map((r) => r.value), [1, 2]);
   * ```
   */
  isOk<T, E>(result: Result<T, E>): result is Ok<T>;
  /**
   * Whether `result` is a failure; narrows its type.
   *
   * @typeParam T The type of the value.
   * @typeParam E The type of the error.
   * @param result The result.
   * @returns `true` for a failure.
   * @throws {TypeError} If `result` is not a result.
   *
   * @example Collecting errors
   * ```ts
   * import { Result } from "@pledge/core";
   * import assert from "node:assert/strict";
   *
   * const all = [Result.ok(1), Result.err("x")];
   * assert.deepEqual(all.filter(Result.isErr).map((r) => r.error), ["x"]);
   * ```
   */
  isErr<T, E>(result: Result<T, E>): result is Err<E>;
}

function ok<T>(value: T): Ok<T> {
  return { ok: true, value };
}

function err<E>(error: E): Err<E> {
  return { ok: false, error };
}

function attempt<T, E = unknown>(fn: () => T): AttemptOutcome<T, E> {
  assertFunction("attempt", "fn", fn);
  let value: T;
  let then: ReturnType<typeof thenOf>;
  try {
    value = fn();
    then = thenOf(value); // read once: a throwing getter is a failure too
  } catch (error) {
    return err(error) as AttemptOutcome<T, E>;
  }
  if (then === undefined) return ok(value) as AttemptOutcome<T, E>;
  const adopted = then;
  return new Future((resolve, reject) => adopted.call(value, resolve, reject))
    .then(ok, err) as AttemptOutcome<T, E>;
}

function check(action: string, result: unknown): void {
  if (
    result === null || typeof result !== "object" ||
    typeof (result as { ok?: unknown }).ok !== "boolean"
  ) {
    typeError(action, "result", "a Result", result);
  }
}

function map<T, E, U>(
  result: Result<T, E>,
  fn: (value: T) => U,
): Result<U, E> {
  check("map a result", result);
  assertFunction("map a result", "fn", fn);
  return result.ok ? ok(fn(result.value)) : result;
}

function mapError<T, E, F>(
  result: Result<T, E>,
  fn: (error: E) => F,
): Result<T, F> {
  check("map the error of a result", result);
  assertFunction("map the error of a result", "fn", fn);
  return result.ok ? result : err(fn(result.error));
}

function unwrapOr<T, U>(result: Result<T, unknown>, fallback: U): T | U {
  check("unwrap a result", result);
  return result.ok ? result.value : fallback;
}

function match<T, E, R>(
  result: Result<T, E>,
  handlers: MatchHandlers<T, E, R>,
): R {
  check("match a result", result);
  if (handlers === null || typeof handlers !== "object") {
    typeError("match a result", "handlers", "an object", handlers);
  }
  assertFunction("match a result", "handlers.ok", handlers.ok);
  assertFunction("match a result", "handlers.err", handlers.err);
  return result.ok ? handlers.ok(result.value) : handlers.err(result.error);
}

function isOk<T, E>(result: Result<T, E>): result is Ok<T> {
  check("test a result", result);
  return result.ok === true;
}

function isErr<T, E>(result: Result<T, E>): result is Err<E> {
  check("test a result", result);
  return result.ok === false;
}

/**
 * The helpers of {@linkcode Result}: `ok`, `err`, `attempt`, `map`,
 * `mapError`, `unwrapOr`, `match`, `isOk`, `isErr`. They are plain functions
 * (no `this`), so they can be passed around, as to `Array.prototype.filter`.
 *
 * @example Parsing without try/catch
 * ```ts
 * import { Result } from "@pledge/core";
 * import assert from "node:assert/strict";
 *
 * const port = (text: string): Result<number, string> => {
 *   const n = Number(text);
 *   return Number.isInteger(n) && n > 0 && n < 65536
 *     ? Result.ok(n)
 *     : Result.err(`not a port: ${text}`);
 * };
 * assert.equal(Result.unwrapOr(port("8080"), 80), 8080);
 * assert.equal(Result.unwrapOr(port("http"), 80), 80);
 * ```
 */
export const Result: ResultFunctions = Object.freeze({
  ok,
  err,
  attempt,
  map,
  mapError,
  unwrapOr,
  match,
  isOk,
  isErr,
});

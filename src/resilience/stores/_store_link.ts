/**
 * A policy's link to its store: the checks of the shared-state options, the
 * time limit of every store call (on the policy's clock), the checks of the
 * replies, and the reporting of failures. A call never rejects: it resolves
 * to the reply, or to `undefined` when the store failed (after
 * `onStoreError`), and the policy applies its `storeFailure` mode.
 *
 * After a failure the store is left alone for `storeTimeoutMs`: calls take
 * the fallback at once instead of each waiting out the time limit. Then one
 * call at a time tries it again (the others still take the fallback), and
 * the first that succeeds ends the failure.
 *
 * @module
 */

import type { Clock } from "../../core/clock.ts";
import { notify } from "../../core/_report.ts";
import { timeoutError } from "../../core/_reasons.ts";
import { startTimer } from "../../core/_timer.ts";
import {
  assertPositiveDuration,
  invalidMessage,
  orDefault,
  typeError,
} from "../../core/_validate.ts";
import { optionalFunction } from "../_policy_call.ts";
import { assertKey } from "./_store_requests.ts";
import type {
  SharedStateOptions,
  StoreErrorEvent,
  StoreFailureMode,
} from "./store_contracts.ts";

/**
 * Starts the time limit of a store call on `clock`; returns its cancel
 * (`startTimer`'s shape).
 */
export type StartTimer = (
  clock: Clock,
  callback: () => void,
  ms: number,
) => () => void;

const MODES: readonly StoreFailureMode[] = ["allow", "deny", "local"];
const REPLY = "use the store's reply";

/**
 * Checks the shared-state options of a policy and returns its link, or
 * `undefined` when it has no store. `method` is the store method the policy
 * calls; `start` arms the time limit of each call (one plain clock timer by
 * default, so a policy without a timer heap does not ship one for it).
 */
export function storeLink<S extends object>(
  action: string,
  options: SharedStateOptions<S> | undefined,
  method: keyof S & string,
  clock: Clock,
  start: StartTimer = startTimer,
): StoreLink<S> | undefined {
  const store = options?.store;
  // The failure handling is checked with or without a store: a typo there
  // should not wait for the day a store is configured to surface.
  const failure = orDefault(options?.storeFailure, "local");
  if (!MODES.includes(failure)) {
    typeError(action, "storeFailure", `"allow", "deny" or "local"`, failure);
  }
  const timeoutMs = orDefault(options?.storeTimeoutMs, 1_000);
  assertPositiveDuration(action, "storeTimeoutMs", timeoutMs);
  const onError = optionalFunction(
    action,
    "onStoreError",
    options?.onStoreError,
  );
  if (store === undefined) {
    if (options?.key !== undefined) {
      typeError(action, "store", "a store when 'key' is given", store);
    }
    return undefined;
  }
  if (
    store === null || typeof store !== "object" ||
    typeof (store as Record<string, unknown>)[method] !== "function"
  ) {
    typeError(action, "store", `a store with a ${method} method`, store);
  }
  const key = options?.key;
  assertKey(action, key);
  return new StoreLink(store, key, failure, timeoutMs, onError, clock, start);
}

/** A policy's store, its key and its failure handling. */
export class StoreLink<S> {
  /** The store. */
  readonly store: S;
  /** The policy's key in the store. */
  readonly key: string;
  /** What the policy does when the store fails. */
  readonly failure: StoreFailureMode;
  /** The error of the last failed call (the `cause` of a denial). */
  lastError: unknown = undefined;
  readonly #timeoutMs: number;
  readonly #onError: ((event: StoreErrorEvent) => void) | undefined;
  readonly #clock: Clock;
  readonly #start: StartTimer;
  #failing = false;
  #trying = false;
  #retryAt = 0;

  /** Whether the last store call failed (and none succeeded since). */
  get failing(): boolean {
    return this.#failing;
  }

  /** Use {@linkcode storeLink}, which checks the options. */
  constructor(
    store: S,
    key: string,
    failure: StoreFailureMode,
    timeoutMs: number,
    onError: ((event: StoreErrorEvent) => void) | undefined,
    clock: Clock,
    start: StartTimer,
  ) {
    this.store = store;
    this.key = key;
    this.failure = failure;
    this.#timeoutMs = timeoutMs;
    this.#onError = onError;
    this.#clock = clock;
    this.#start = start;
  }

  /**
   * Calls the store through `op` within the time limit; `check` returns the
   * reply or throws a `TypeError` naming what is wrong with it. Resolves to
   * `undefined` when the store failed (reported) or is failing and being
   * tried by another call. Never rejects.
   */
  call<T>(
    op: (store: S, key: string) => PromiseLike<unknown>,
    check: (reply: unknown) => T,
  ): Promise<T | undefined> {
    if (this.#failing) {
      if (this.#trying || this.#clock.now() < this.#retryAt) {
        return Promise.resolve(undefined);
      }
      this.#trying = true;
    }
    return new Promise<T | undefined>((resolve) => {
      let done = false;
      const finish = (reply: unknown, error: unknown, failed: boolean) => {
        if (done) return;
        done = true;
        stopTimer();
        if (!failed) {
          try {
            const checked = check(reply);
            this.#failing = this.#trying = false;
            resolve(checked);
            return;
          } catch (e) {
            error = e;
          }
        }
        this.#failing = true;
        this.#trying = false;
        this.#retryAt = this.#clock.now() + this.#timeoutMs;
        this.lastError = error;
        if (this.#onError !== undefined) {
          notify(this.#onError, { error, fallback: this.failure });
        }
        resolve(undefined);
      };
      const stopTimer = this.#start(
        this.#clock,
        () => finish(undefined, timeoutError(this.#timeoutMs), true),
        this.#timeoutMs,
      );
      let pending: PromiseLike<unknown>;
      try {
        pending = op(this.store, this.key);
        if (
          pending === null || typeof pending !== "object" ||
          typeof pending.then !== "function"
        ) {
          throw new TypeError(
            invalidMessage(REPLY, "reply", "a promise", pending),
          );
        }
      } catch (error) {
        finish(undefined, error, true);
        return;
      }
      // A late outcome (after the time limit) is dropped, never unhandled.
      Promise.resolve(pending).then(
        (reply) => finish(reply, undefined, false),
        (error) => finish(undefined, error, true),
      );
    });
  }
}

/** Checks a field of a store's reply: a `TypeError` naming it otherwise. */
export function replyField<T>(
  reply: unknown,
  field: string,
  constraint: string,
  valid: (value: unknown) => value is T,
): T {
  if (reply === null || typeof reply !== "object") {
    throw new TypeError(invalidMessage(REPLY, "reply", "an object", reply));
  }
  const value = (reply as Record<string, unknown>)[field];
  if (!valid(value)) {
    throw new TypeError(
      invalidMessage(REPLY, `reply.${field}`, constraint, value),
    );
  }
  return value;
}

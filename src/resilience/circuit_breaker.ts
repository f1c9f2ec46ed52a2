/**
 * `CircuitBreaker`: a {@linkcode Policy} that stops calling a failing
 * dependency for a while, then lets a few trial calls through to see whether
 * it recovered. When to open is decided by a {@linkcode BreakerStrategy}.
 *
 * @module
 */

import type { Clock } from "../core/clock.ts";
import { CircuitOpenError } from "../core/errors.ts";
import { assertDuration } from "../core/_validate.ts";
import type { BreakerStrategy } from "./breaker_strategy.ts";
import type {
  BreakDurationContext,
  CircuitBreakerOptions,
  CircuitBreakerSnapshot,
  CircuitBreakerStats,
  CircuitFailureEvent,
  CircuitState,
  CircuitStateChange,
  CircuitSuccessEvent,
} from "./circuit_breaker_options.ts";
import type { Policy, PolicyContext, PolicyExecuteOptions } from "./policy.ts";
import {
  circuitConfig,
  claimStrategy,
  restoreCircuit,
} from "./_circuit_config.ts";
import { notify, policyCall, report } from "./_policy_call.ts";

/**
 * A circuit breaker as a {@linkcode Policy}.
 *
 * While **closed**, calls pass and their outcomes go to the strategy; when it
 * says so, the circuit **opens** for `breakDurationMs` (or
 * `breakDuration(context)`) and calls are rejected with a
 * {@linkcode CircuitOpenError} carrying `retryAfterMs`. When the break is
 * over the circuit is **half-open**: up to `halfOpenMaxProbes` trial calls
 * run at once; `successThreshold` successes close it, one failure opens it
 * again. `isolate()` holds it open until `reset()`.
 *
 * No timer is involved: the end of a break is computed from the clock when
 * `state`, `stats` or `toJSON()` is read or a call arrives, and that is when
 * `onStateChange` reports the move to `"half_open"`. Rolling windows are
 * computed from the clock in the same way.
 *
 * Outcomes of calls that started before the last state change are reported
 * to `onSuccess` / `onFailure` but change nothing.
 *
 * Observers run synchronously, in this order: `onSuccess` or `onFailure` for
 * the outcome, then `onStateChange` for the change it causes, then the
 * caller's promise settles; a refused call reports `onStateChange` (if the
 * break just ended) before `onReject`. An observer that throws is reported
 * (its error is rethrown on a microtask) and changes nothing.
 *
 * The breaker does not listen to the caller's signal: it passes it to `fn`,
 * which should honour it.
 *
 * @example Opening after failures, then recovering
 * ```ts
 * import { CircuitBreaker, CircuitOpenError, VirtualClock } from "@pledge/core";
 * import assert from "node:assert/strict";
 *
 * const clock = new VirtualClock();
 * const breaker = new CircuitBreaker({ breakDurationMs: 1000, clock });
 * const down = () => Promise.reject(new Error("down"));
 * for (let i = 0; i < 5; i++) await breaker.execute(down).catch(() => {});
 * assert.equal(breaker.state, "open");
 * await assert.rejects(breaker.execute(() => "hi"), CircuitOpenError);
 * clock.tick(1000);
 * assert.equal(breaker.state, "half_open");
 * assert.equal(await breaker.execute(() => "hi"), "hi");
 * assert.equal(breaker.state, "closed");
 * ```
 */
export class CircuitBreaker implements Policy {
  readonly #strategy: BreakerStrategy;
  readonly #clock: Clock;
  readonly #breakDurationMs: number;
  readonly #breakDuration: ((c: BreakDurationContext) => number) | undefined;
  readonly #maxProbes: number;
  readonly #successThreshold: number;
  readonly #slowCallMs: number;
  // Whether calls are timed (start and end), and whether only their end is.
  readonly #measured: boolean;
  readonly #timed: boolean;
  readonly #isFailure: (error: unknown) => boolean;
  readonly #onStateChange: ((e: CircuitStateChange) => void) | undefined;
  readonly #onSuccess: ((e: CircuitSuccessEvent) => void) | undefined;
  readonly #onFailure: ((e: CircuitFailureEvent) => void) | undefined;
  readonly #onReject: ((e: CircuitOpenError) => void) | undefined;
  #state: CircuitState = "closed";
  #generation = 0;
  #openUntil = 0;
  #openings = 0;
  #probes = 0;
  #probeSuccesses = 0;
  #successes = 0;
  #failures = 0;
  #rejections = 0;

  /**
   * Creates a closed circuit breaker (or one in `initialState`).
   *
   * @param options The strategy, the break, the half-open limits, the
   *   observers and the clock.
   * @throws {TypeError} If an option has the wrong type, or the strategy is
   *   used by another breaker.
   * @throws {RangeError} If an option is out of range.
   */
  constructor(options?: CircuitBreakerOptions) {
    const config = circuitConfig(options);
    const strategy = config.strategy;
    this.#strategy = strategy;
    this.#clock = config.clock;
    this.#breakDurationMs = config.breakDurationMs;
    this.#breakDuration = config.breakDuration;
    this.#maxProbes = config.maxProbes;
    this.#successThreshold = config.successThreshold;
    this.#slowCallMs = config.slowCallMs;
    this.#isFailure = config.isFailure;
    this.#onStateChange = config.onStateChange;
    this.#onSuccess = config.onSuccess;
    this.#onFailure = config.onFailure;
    this.#onReject = config.onReject;
    this.#measured = config.slowCallMs !== Infinity ||
      config.onSuccess !== undefined || config.onFailure !== undefined;
    this.#timed = this.#measured || strategy.usesTime;
    if (options?.initialState !== undefined) {
      const restored = restoreCircuit(
        options.initialState,
        strategy,
        config.clock.now(),
      );
      this.#state = restored.state;
      this.#openings = restored.openings;
      this.#openUntil = restored.openUntil;
    }
    claimStrategy(strategy);
  }

  /**
   * The state, after moving from `"open"` to `"half_open"` if the break is
   * over (which `onStateChange` reports).
   *
   * @example The break ends when the state is read
   * ```ts
   * import {
   *   CircuitBreaker,
   *   ConsecutiveFailuresStrategy,
   *   VirtualClock,
   * } from "@pledge/core";
   * import assert from "node:assert/strict";
   *
   * const clock = new VirtualClock();
   * const breaker = new CircuitBreaker({
   *   strategy: new ConsecutiveFailuresStrategy({ threshold: 1 }),
   *   breakDurationMs: 500,
   *   clock,
   * });
   * await breaker.execute(() => Promise.reject(new Error("down"))).catch(() => {});
   * assert.equal(breaker.state, "open");
   * clock.tick(500);
   * assert.equal(breaker.state, "half_open");
   * ```
   */
  get state(): CircuitState {
    if (this.#state === "open") this.#checkBreak();
    return this.#state;
  }

  /**
   * The counters and the window, read now.
   *
   * @example Counting refused calls
   * ```ts
   * import { CircuitBreaker } from "@pledge/core";
   * import assert from "node:assert/strict";
   *
   * const breaker = new CircuitBreaker();
   * breaker.isolate();
   * await breaker.execute(() => "never runs").catch(() => {});
   * const stats = breaker.stats;
   * assert.equal(stats.rejections, 1);
   * assert.equal(stats.retryAfterMs, Infinity);
   * ```
   */
  get stats(): CircuitBreakerStats {
    const state = this.state;
    const now = this.#clock.now();
    const window = this.#strategy.window(now);
    return {
      state,
      windowCalls: window.calls,
      windowFailures: window.failures,
      consecutiveOpenings: this.#openings,
      activeProbes: this.#probes,
      probeSuccesses: this.#probeSuccesses,
      retryAfterMs: this.#retryAfter(now),
      successes: this.#successes,
      failures: this.#failures,
      rejections: this.#rejections,
    };
  }

  /**
   * Runs `fn` if the circuit lets it through.
   *
   * @typeParam T The value `fn` produces.
   * @param fn The work; receives the caller's signal and attempt.
   * @param options The caller's signal.
   * @returns What `fn` produced.
   * @throws {CircuitOpenError} (as a rejection) When the circuit refuses
   *   the call.
   * @throws {TypeError} (as a rejection) When `fn` or `options` is invalid.
   *
   * @example Running calls through the breaker
   * ```ts
   * import { CircuitBreaker, CircuitOpenError } from "@pledge/core";
   * import assert from "node:assert/strict";
   *
   * const breaker = new CircuitBreaker();
   * const value = await breaker.execute(({ attempt }) => `attempt ${attempt}`);
   * assert.equal(value, "attempt 1");
   * breaker.isolate();
   * await assert.rejects(breaker.execute(() => "refused"), CircuitOpenError);
   * ```
   */
  execute<T>(
    fn: (context: PolicyContext) => T | PromiseLike<T>,
    options?: PolicyExecuteOptions,
  ): Promise<T> {
    const context = policyCall(fn, options);
    if (context instanceof Promise) return context as Promise<never>;
    if (this.#state !== "closed" && !this.#admit()) return this.#reject();
    return this.#run(
      fn,
      context,
      this.#measured ? this.#clock.now() : 0,
      this.#generation,
    );
  }

  /**
   * Opens the circuit until {@linkcode CircuitBreaker.reset}: every call is
   * rejected with a {@linkcode CircuitOpenError} whose `retryAfterMs` is
   * `Infinity`.
   *
   * @example Taking a dependency out by hand
   * ```ts
   * import { CircuitBreaker } from "@pledge/core";
   * import assert from "node:assert/strict";
   *
   * const breaker = new CircuitBreaker();
   * breaker.isolate();
   * await assert.rejects(breaker.execute(() => 1), { name: "CircuitOpenError" });
   * breaker.reset();
   * assert.equal(await breaker.execute(() => 1), 1);
   * ```
   */
  isolate(): void {
    if (this.#state !== "isolated") this.#moveTo("isolated");
  }

  /**
   * Closes the circuit and forgets every outcome and opening, whatever the
   * state (isolated included).
   *
   * @example Closing an open circuit
   * ```ts
   * import { CircuitBreaker, ConsecutiveFailuresStrategy } from "@pledge/core";
   * import assert from "node:assert/strict";
   *
   * const breaker = new CircuitBreaker({
   *   strategy: new ConsecutiveFailuresStrategy({ threshold: 1 }),
   * });
   * await breaker.execute(() => { throw new Error("down"); }).catch(() => {});
   * assert.equal(breaker.state, "open");
   * breaker.reset();
   * assert.equal(breaker.state, "closed");
   * ```
   */
  reset(): void {
    this.#openings = 0;
    this.#strategy.reset();
    if (this.#state !== "closed") this.#moveTo("closed");
  }

  /**
   * Captures the state for persistence; pass it back as `initialState`.
   *
   * @returns A JSON-serialisable snapshot.
   *
   * @example Persisting an open circuit across restarts
   * ```ts
   * import { CircuitBreaker, VirtualClock } from "@pledge/core";
   * import assert from "node:assert/strict";
   *
   * const clock = new VirtualClock();
   * const before = new CircuitBreaker({ breakDurationMs: 1000, clock });
   * before.isolate();
   * const saved = JSON.parse(JSON.stringify(before));
   * const after = new CircuitBreaker({ initialState: saved, clock });
   * assert.equal(after.state, "isolated");
   * ```
   */
  toJSON(): CircuitBreakerSnapshot {
    const state = this.state;
    const now = this.#clock.now();
    return {
      state,
      remainingMs: state === "open" ? this.#openUntil - now : 0,
      consecutiveOpenings: this.#openings,
      strategy: this.#strategy.snapshot(now),
    };
  }

  // Decides whether a call may pass when not closed; takes a probe slot.
  #admit(): boolean {
    if (this.#state === "open") this.#checkBreak();
    if (this.#state === "half_open" && this.#probes < this.#maxProbes) {
      this.#probes++;
      return true;
    }
    return false;
  }

  #reject(): Promise<never> {
    this.#rejections++;
    const state = this.#state as "open" | "half_open" | "isolated";
    const error = new CircuitOpenError(
      this.#retryAfter(this.#clock.now()),
      state,
    );
    if (this.#onReject !== undefined) notify(this.#onReject, error);
    return Promise.reject(error);
  }

  async #run<T>(
    fn: (context: PolicyContext) => T | PromiseLike<T>,
    context: PolicyContext,
    start: number,
    generation: number,
  ): Promise<T> {
    let value: T;
    try {
      value = await fn(context);
    } catch (error) {
      this.#settleError(error, context, start, generation);
      throw error;
    }
    this.#settleValue(start, generation);
    return value;
  }

  #settleValue(start: number, generation: number): void {
    const now = this.#timed ? this.#clock.now() : 0;
    if (this.#measured) {
      const durationMs = now - start;
      if (durationMs > this.#slowCallMs) {
        this.#failed(undefined, now, durationMs, generation);
        return;
      }
      if (this.#onSuccess !== undefined) {
        notify(this.#onSuccess, { durationMs });
      }
    }
    this.#successes++;
    if (generation !== this.#generation) return;
    if (this.#state === "closed") {
      this.#strategy.recordSuccess(now);
    } else if (this.#state === "half_open") {
      this.#probes--;
      if (++this.#probeSuccesses >= this.#successThreshold) {
        this.#openings = 0;
        this.#strategy.reset();
        this.#moveTo("closed");
      }
    }
  }

  #settleError(
    error: unknown,
    context: PolicyContext,
    start: number,
    generation: number,
  ): void {
    let counts: boolean;
    if (context.signal.aborted && error === context.signal.reason) {
      counts = false;
    } else {
      try {
        counts = this.#isFailure(error) !== false;
      } catch (thrown) {
        report(thrown);
        counts = true;
      }
    }
    if (!counts) {
      // Neither a failure nor a success: only free the trial slot.
      if (generation === this.#generation && this.#state === "half_open") {
        this.#probes--;
      }
      return;
    }
    const now = this.#timed ? this.#clock.now() : 0;
    this.#failed(error, now, now - start, generation);
  }

  #failed(
    error: unknown,
    now: number,
    durationMs: number,
    generation: number,
  ): void {
    this.#failures++;
    if (this.#onFailure !== undefined) {
      notify(this.#onFailure, {
        error,
        slow: durationMs > this.#slowCallMs,
        durationMs,
      });
    }
    if (generation !== this.#generation) return;
    if (this.#state === "closed") {
      if (this.#strategy.recordFailure(now)) this.#open();
    } else if (this.#state === "half_open") {
      this.#open();
    }
  }

  #open(): void {
    const now = this.#clock.now();
    const attempt = ++this.#openings;
    let ms = this.#breakDurationMs;
    if (this.#breakDuration !== undefined) {
      try {
        const computed = this.#breakDuration({
          attempt,
          window: this.#strategy.window(now),
        });
        assertDuration("open the circuit", "breakDuration()", computed);
        ms = computed;
      } catch (error) {
        report(error);
      }
    }
    this.#openUntil = now + ms;
    this.#moveTo("open");
  }

  #checkBreak(): void {
    if (this.#clock.now() >= this.#openUntil) this.#moveTo("half_open");
  }

  #retryAfter(now: number): number {
    const state = this.#state;
    if (state === "open") return Math.max(0, this.#openUntil - now);
    return state === "isolated" ? Infinity : 0;
  }

  #moveTo(to: CircuitState): void {
    const from = this.#state;
    this.#state = to;
    this.#generation++;
    this.#probes = 0;
    this.#probeSuccesses = 0;
    if (this.#onStateChange !== undefined) {
      notify(this.#onStateChange, { from, to });
    }
  }
}

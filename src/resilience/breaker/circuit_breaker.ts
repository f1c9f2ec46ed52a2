/**
 * `CircuitBreaker`: a {@linkcode Policy} that stops calling a failing
 * dependency for a while, then lets a few trial calls through to see whether
 * it recovered. When to open is decided by a {@linkcode BreakerStrategy}.
 *
 * One concept in one file: the state machine, the checks of its options and
 * the restoring of a persisted state, which all read and write the same
 * state.
 *
 * @module
 */

import type { Clock } from "../../core/clock.ts";
import { systemClock } from "../../core/clock.ts";
import {
  CircuitOpenError,
  QueueFullError,
  RateLimitedError,
} from "../../core/errors.ts";
import { notify, reportError } from "../../core/_report.ts";
import {
  assertClock,
  assertDuration,
  assertInteger,
  assertNumber,
  assertOptions,
  assertPositiveDuration,
  orDefault,
  rangeError,
  typeError,
} from "../../core/_validate.ts";
import type { Backoff } from "../backoff.ts";
import type { Classifier, ErrorClass, ErrorFilter } from "../classify.ts";
import type { Policy, PolicyContext, PolicyExecuteOptions } from "../policy.ts";
import {
  backoffOption,
  classifierOption,
  invoke,
  NEVER_ABORTED,
  optionalFunction,
  policyCall,
} from "../_policy_call.ts";
import { onAbort } from "../../cancel/signals.ts";
import type {
  CircuitBreakerStore,
  CircuitCommand,
  CircuitView,
} from "../stores/store_contracts.ts";
import { type StoreLink, storeLink } from "../stores/_store_link.ts";
import {
  checkView,
  ONE_OF_STATES,
  probeId,
  STATES,
} from "./_shared_circuit.ts";
import type { BreakerStrategy } from "./breaker_strategy.ts";
import { ConsecutiveFailuresStrategy } from "./consecutive_failures_strategy.ts";
import type {
  CircuitBreakerOptions,
  CircuitBreakerSnapshot,
  CircuitBreakerStats,
  CircuitFailureEvent,
  CircuitState,
  CircuitStateChange,
  CircuitSuccessEvent,
} from "./circuit_breaker_options.ts";

const CREATE = "create the circuit breaker";
const RESTORE = "restore the circuit breaker";
const DEFAULT_COOLDOWN_MS = 5_000;
const RESOLVED: Promise<void> = Promise.resolve();
const NOTHING = (): void => {};
// The strategies held by a breaker: a strategy holds one breaker's window.
const owned = new WeakSet<BreakerStrategy>();

// Counts every error but cancellations and the refusals of local policies
// (a nested breaker, a full bulkhead or queue, a rate limiter): those never
// reached the dependency. Permanent errors count, as in Polly.
function countsByDefault(error: unknown, classification: ErrorClass): boolean {
  return classification !== "cancelled" &&
    !(error instanceof CircuitOpenError || error instanceof QueueFullError ||
      error instanceof RateLimitedError);
}

/**
 * A circuit breaker as a {@linkcode Policy}.
 *
 * While **closed**, calls pass and their outcomes go to the strategy; when it
 * says so, the circuit **opens** for `cooldownMs` (a number, or a backoff of
 * the openings in a row) and calls are rejected with a
 * {@linkcode CircuitOpenError} carrying `retryAfterMs`. When the cooldown is
 * over the circuit is **half-open**: up to `halfOpenMaxProbes` trial calls
 * run at once; `successThreshold` successes close it, one failure opens it
 * again. `isolate()` holds it open until `reset()`.
 *
 * No timer is involved: the end of a cooldown is computed from the clock when
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
 * cooldown just ended) before `onReject`. An observer that throws is reported
 * (its error is rethrown on a microtask) and changes nothing.
 *
 * The breaker does not listen to the caller's signal while `fn` runs: it
 * passes it to `fn`, which should honour it (on a store, an abort while the
 * call waits for the shared circuit rejects it with `signal.reason` at once,
 * and frees the trial slot the store may have given it).
 *
 * With a `store` (and a `key`), the circuit is shared by every breaker with
 * the same key, across processes. Each call first reads the shared circuit
 * (one store call): a circuit opened by any instance is open for all on
 * their next call, and its cooldown ends for all at once, on the store's
 * clock. Half-open trial calls are limited fleet-wide by
 * `halfOpenMaxProbes` slots, each held for at most `probeLeaseMs` (a
 * crashed prober does not hold the circuit half-open), and `successThreshold`
 * counts the trials of every instance. `isolate()` and `reset()` act on the
 * whole fleet. What opens the circuit is still decided by each instance's
 * own strategy (from its own calls); the opening, a trial's outcome, and
 * the cooldown (computed from the fleet's openings in a row) go to the
 * store, and the caller's promise settles once the store has them. `state`
 * and `stats` are this instance's view as of its last store call. When the
 * store fails or answers later than `storeTimeoutMs`, `storeFailure`
 * decides: `"allow"` the call, `"deny"` it (a {@linkcode CircuitOpenError}
 * with the store's error as `cause`), or decide on this instance's own
 * `"local"` state machine, which an opening then keeps to this instance.
 *
 * @example Opening after failures, then recovering
 * ```ts
 * import { CircuitBreaker, CircuitOpenError, VirtualClock } from "@pledge/core";
 * import assert from "node:assert/strict";
 *
 * const clock = new VirtualClock();
 * const breaker = new CircuitBreaker({ cooldownMs: 1000, clock });
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
  // Configuration.
  readonly #strategy: BreakerStrategy;
  readonly #clock: Clock;
  readonly #cooldown: Backoff;
  readonly #maxProbes: number;
  readonly #successThreshold: number;
  readonly #slowCallMs: number;
  // Whether calls are timed (start and end), and whether only their end is.
  readonly #measured: boolean;
  readonly #timed: boolean;
  readonly #shouldHandle: ErrorFilter;
  readonly #classifier: Classifier;
  readonly #onStateChange: ((e: CircuitStateChange) => void) | undefined;
  readonly #onSuccess: ((e: CircuitSuccessEvent) => void) | undefined;
  readonly #onFailure: ((e: CircuitFailureEvent) => void) | undefined;
  readonly #onReject: ((e: CircuitOpenError) => void) | undefined;
  readonly #link: StoreLink<CircuitBreakerStore> | undefined;
  readonly #probeLeaseMs: number;
  // The store's epoch, as of the last store call.
  #epoch = 0;
  // The state that a snapshot persists (with the strategy's window).
  #state: CircuitState = "closed";
  #openUntil = 0;
  #openings = 0;
  #cooldownMs = 0;
  // The state of this process only: trial calls and counters.
  #generation = 0;
  #probes = 0;
  #probeSuccesses = 0;
  #successes = 0;
  #failures = 0;
  #rejections = 0;

  /**
   * Creates a closed circuit breaker (or one in `initialState`).
   *
   * @param options The strategy, the cooldown, the half-open limits, the
   *   error filter, the observers and the clock.
   * @throws {TypeError} If an option has the wrong type, or the strategy is
   *   used by another breaker.
   * @throws {RangeError} If an option is out of range.
   */
  constructor(options?: CircuitBreakerOptions) {
    assertOptions(CREATE, options);
    const strategy = orDefault(
      options?.strategy,
      new ConsecutiveFailuresStrategy(),
    );
    if (
      strategy === null || typeof strategy !== "object" ||
      typeof strategy.recordFailure !== "function"
    ) {
      typeError(CREATE, "strategy", "a BreakerStrategy", strategy);
    }
    if (owned.has(strategy)) {
      typeError(
        CREATE,
        "strategy",
        "a strategy no other breaker uses",
        strategy,
      );
    }
    this.#cooldown = backoffOption(
      CREATE,
      "cooldownMs",
      orDefault(options?.cooldownMs, DEFAULT_COOLDOWN_MS),
    );
    const maxProbes = orDefault(options?.halfOpenMaxProbes, 1);
    assertInteger(CREATE, "halfOpenMaxProbes", maxProbes);
    const successThreshold = orDefault(options?.successThreshold, 1);
    assertInteger(CREATE, "successThreshold", successThreshold);
    const slowCallMs = orDefault(options?.slowCallMs, Infinity);
    assertNumber(CREATE, "slowCallMs", slowCallMs);
    if (!(slowCallMs >= 0)) {
      rangeError(CREATE, "slowCallMs", "a number >= 0 or Infinity", slowCallMs);
    }
    this.#shouldHandle = optionalFunction(
      CREATE,
      "shouldHandle",
      options?.shouldHandle,
    ) ?? countsByDefault;
    this.#classifier = classifierOption(CREATE, options?.classifier);
    const clock = orDefault(options?.clock, systemClock);
    assertClock(CREATE, clock);
    const onSuccess = optionalFunction(CREATE, "onSuccess", options?.onSuccess);
    const onFailure = optionalFunction(CREATE, "onFailure", options?.onFailure);
    this.#onStateChange = optionalFunction(
      CREATE,
      "onStateChange",
      options?.onStateChange,
    );
    this.#onReject = optionalFunction(CREATE, "onReject", options?.onReject);
    const link = storeLink(CREATE, options, "updateCircuit", clock);
    const probeLeaseMs = orDefault(options?.probeLeaseMs, 10_000);
    assertPositiveDuration(CREATE, "probeLeaseMs", probeLeaseMs);
    if (link !== undefined && options?.initialState !== undefined) {
      typeError(
        CREATE,
        "initialState",
        "undefined with a store (the store holds the state)",
        options.initialState,
      );
    }
    this.#link = link;
    this.#probeLeaseMs = probeLeaseMs;
    this.#strategy = strategy;
    this.#clock = clock;
    this.#maxProbes = maxProbes;
    this.#successThreshold = successThreshold;
    this.#slowCallMs = slowCallMs;
    this.#onSuccess = onSuccess;
    this.#onFailure = onFailure;
    this.#measured = slowCallMs !== Infinity || onSuccess !== undefined ||
      onFailure !== undefined;
    this.#timed = this.#measured || strategy.usesTime;
    if (options?.initialState !== undefined) {
      this.#restore(options.initialState);
    }
    owned.add(strategy);
  }

  /**
   * The state, after moving from `"open"` to `"half_open"` if the cooldown
   * is over (which `onStateChange` reports).
   */
  get state(): CircuitState {
    if (this.#state === "open") this.#checkCooldown();
    return this.#state;
  }

  /** The counters and the window, read now. */
  get stats(): CircuitBreakerStats {
    const state = this.state;
    const now = this.#clock.now();
    const window = this.#strategy.window(now);
    return {
      state,
      windowCalls: window.calls,
      windowFailures: window.failures,
      consecutiveOpenings: this.#openings,
      runningProbes: this.#probes,
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
   * @throws {CircuitOpenError} Rejects with it when the circuit refuses the
   *   call.
   * @throws {TypeError} Rejects with it when `fn` or `options` is invalid.
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
    if (this.#link !== undefined) return this.#executeShared(fn, context);
    return this.#executeLocal(fn, context);
  }

  #executeLocal<T>(
    fn: (context: PolicyContext) => T | PromiseLike<T>,
    context: PolicyContext,
  ): Promise<T> {
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
   * `Infinity`. With a store, every instance sharing the key is isolated.
   *
   * @returns A promise that resolves once the store has it (at once without
   *   a store); it never rejects (a store failure is reported to
   *   `onStoreError`, and this instance stays isolated).
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
  isolate(): Promise<void> {
    if (this.#state !== "isolated") this.#moveTo("isolated");
    if (this.#link === undefined) return RESOLVED;
    return this.#send({ op: "isolate" }).then(NOTHING);
  }

  /**
   * Closes the circuit and forgets every outcome and opening, whatever the
   * state (isolated included). With a store, for every instance sharing the
   * key.
   *
   * @returns A promise that resolves once the store has it (at once without
   *   a store); it never rejects.
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
  reset(): Promise<void> {
    this.#close();
    if (this.#link === undefined) return RESOLVED;
    return this.#send({ op: "reset" }).then(NOTHING);
  }

  /**
   * Captures the state for persistence; pass it back as `initialState`.
   *
   * @returns A JSON-serialisable snapshot.
   *
   * @example Persisting an open circuit across restarts
   * ```ts
   * import { CircuitBreaker, ConsecutiveFailuresStrategy, VirtualClock } from "@pledge/core";
   * import assert from "node:assert/strict";
   *
   * const clock = new VirtualClock();
   * const strategy = () => new ConsecutiveFailuresStrategy({ threshold: 1 });
   * const before = new CircuitBreaker({ strategy: strategy(), cooldownMs: 1000, clock });
   * await before.execute(() => Promise.reject(new Error("down"))).catch(() => {});
   * clock.tick(400);
   * const saved = JSON.parse(JSON.stringify(before));
   * assert.equal(saved.remainingMs, 600);
   * const after = new CircuitBreaker({ strategy: strategy(), initialState: saved, clock });
   * assert.equal(after.state, "open");
   * assert.equal(after.stats.retryAfterMs, 600);
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

  // --- the state machine ----------------------------------------------------

  // Decides whether a call may pass when not closed; takes a probe slot.
  #admit(): boolean {
    if (this.#state === "open") this.#checkCooldown();
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
      if (++this.#probeSuccesses >= this.#successThreshold) this.#close();
    }
  }

  #settleError(
    error: unknown,
    context: PolicyContext,
    start: number,
    generation: number,
  ): void {
    if (!this.#counts(error, context)) {
      // Neither a failure nor a success: only free the trial slot.
      if (generation === this.#generation && this.#state === "half_open") {
        this.#probes--;
      }
      return;
    }
    const now = this.#timed ? this.#clock.now() : 0;
    this.#failed(error, now, now - start, generation);
  }

  // Whether an error counts as a failure.
  #counts(error: unknown, context: PolicyContext): boolean {
    if (context.signal.aborted && error === context.signal.reason) {
      return false;
    }
    try {
      return this.#shouldHandle(error, this.#classifier.classify(error)) !==
        false;
    } catch (thrown) {
      reportError(thrown);
      return true;
    }
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
    const ms = this.#nextCooldown(++this.#openings);
    this.#cooldownMs = ms;
    this.#openUntil = now + ms;
    this.#moveTo("open");
  }

  // The cooldown of the `openings`-th opening in a row.
  #nextCooldown(openings: number): number {
    try {
      const ms = this.#cooldown.next(openings, this.#cooldownMs);
      assertDuration("open the circuit", "cooldownMs.next()", ms);
      return ms;
    } catch (error) {
      reportError(error);
      return DEFAULT_COOLDOWN_MS;
    }
  }

  #close(): void {
    this.#openings = 0;
    this.#cooldownMs = 0;
    this.#strategy.reset();
    if (this.#state !== "closed") this.#moveTo("closed");
  }

  #checkCooldown(): void {
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

  // --- on a store -------------------------------------------------------------

  async #executeShared<T>(
    fn: (context: PolicyContext) => T | PromiseLike<T>,
    context: PolicyContext,
  ): Promise<T> {
    const probe = probeId();
    const view = await this.#enter(probe, context.signal);
    if (view === undefined) return this.#storeFailed(fn, context);
    const trial = view.state === "half_open" && view.probe ? probe : undefined;
    if (view.state !== "closed" && trial === undefined) return this.#reject();
    if (trial !== undefined) this.#probes++;
    const generation = this.#generation;
    const start = this.#measured ? this.#clock.now() : 0;
    let value: T;
    try {
      value = await fn(context);
    } catch (error) {
      const counts = this.#counts(error, context);
      if (trial !== undefined && generation === this.#generation) {
        this.#probes--;
      }
      await this.#sharedOutcome(counts, error, start, view.epoch, trial);
      throw error;
    }
    if (trial !== undefined && generation === this.#generation) this.#probes--;
    await this.#sharedOutcome(true, undefined, start, view.epoch, trial, true);
    return value;
  }

  // Asks the store to let a call in (as trial `probe` when half-open); an
  // abort stops the wait with `signal.reason`, and frees the trial slot the
  // store may have given meanwhile.
  #enter(probe: string, signal: AbortSignal): Promise<CircuitView | undefined> {
    const entered = this.#send({
      op: "enter",
      probe,
      maxProbes: this.#maxProbes,
      probeLeaseMs: this.#probeLeaseMs,
    });
    if (signal === NEVER_ABORTED) return entered;
    return new Promise((resolve, reject) => {
      const registration = onAbort(signal, (reason) => {
        reject(reason);
        entered.then((view) => {
          if (view?.probe) void this.#sendProbe(view.epoch, probe, false);
        });
      });
      entered.then((view) => {
        registration[Symbol.dispose]();
        resolve(view);
      });
    });
  }

  // Records the outcome of a call admitted at `epoch` (a trial holding slot
  // `trial`) and sends the store what it changes.
  async #sharedOutcome(
    counts: boolean,
    error: unknown,
    start: number,
    epoch: number,
    trial: string | undefined,
    succeeded = false,
  ): Promise<void> {
    const now = this.#timed ? this.#clock.now() : 0;
    const durationMs = now - start;
    const slow = durationMs > this.#slowCallMs;
    if (!counts) {
      if (trial !== undefined) await this.#sendProbe(epoch, trial, false);
      return;
    }
    if (succeeded && !slow) {
      this.#successes++;
      if (this.#onSuccess !== undefined) {
        notify(this.#onSuccess, { durationMs });
      }
      if (trial !== undefined) {
        await this.#sendProbe(epoch, trial, true);
      } else if (epoch === this.#epoch && this.#state === "closed") {
        this.#strategy.recordSuccess(now);
      }
      return;
    }
    this.#failures++;
    if (this.#onFailure !== undefined) {
      notify(this.#onFailure, { error, slow, durationMs });
    }
    if (
      trial !== undefined ||
      (epoch === this.#epoch && this.#state === "closed" &&
        this.#strategy.recordFailure(now))
    ) {
      const cooldownMs = this.#nextCooldown(this.#openings + 1);
      const view = await this.#send({
        op: "trip",
        epoch,
        cooldownMs,
        probe: trial,
      });
      // A store that failed: this instance opens on its own.
      if (view === undefined && this.#state !== "open") this.#open();
    }
  }

  #sendProbe(epoch: number, probe: string, success: boolean) {
    return this.#send({
      op: "probe",
      epoch,
      probe,
      success,
      successThreshold: this.#successThreshold,
    });
  }

  // One store call; the view it answers becomes this instance's state.
  async #send(command: CircuitCommand): Promise<CircuitView | undefined> {
    const view = await (this.#link as StoreLink<CircuitBreakerStore>).call(
      (store, key) => store.updateCircuit(key, command),
      checkView,
    );
    if (view === undefined) return undefined;
    const changed = view.epoch !== this.#epoch;
    this.#epoch = view.epoch;
    this.#openings = view.openings;
    this.#cooldownMs = view.cooldownMs;
    if (view.state === "open") {
      this.#openUntil = this.#clock.now() + view.retryAfterMs;
    }
    if (changed && view.state === "closed") this.#strategy.reset();
    if (view.state !== this.#state) this.#moveTo(view.state);
    return view;
  }

  #storeFailed<T>(
    fn: (context: PolicyContext) => T | PromiseLike<T>,
    context: PolicyContext,
  ): Promise<T> {
    const link = this.#link as StoreLink<CircuitBreakerStore>;
    if (link.failure === "allow") return invoke(fn, context);
    if (link.failure === "local") return this.#executeLocal(fn, context);
    this.#rejections++;
    const error = new CircuitOpenError(0, "open", { cause: link.lastError });
    if (this.#onReject !== undefined) notify(this.#onReject, error);
    return Promise.reject(error);
  }

  // Validates a persisted snapshot, restores the strategy's window from it
  // and takes its state.
  #restore(snapshot: CircuitBreakerSnapshot): void {
    if (snapshot === null || typeof snapshot !== "object") {
      typeError(RESTORE, "initialState", "a snapshot object", snapshot);
    }
    const { state, remainingMs, consecutiveOpenings } = snapshot;
    if (!STATES.includes(state as CircuitState)) {
      typeError(
        RESTORE,
        "initialState.state",
        ONE_OF_STATES,
        state,
      );
    }
    assertDuration(RESTORE, "initialState.remainingMs", remainingMs);
    assertInteger(
      RESTORE,
      "initialState.consecutiveOpenings",
      consecutiveOpenings,
      0,
    );
    const now = this.#clock.now();
    this.#strategy.restore(snapshot.strategy, now);
    this.#state = state;
    this.#openings = consecutiveOpenings;
    this.#openUntil = state === "open" ? now + remainingMs : 0;
  }
}

/**
 * The bad-argument table of `@pledge/core/resilience`. Factories and
 * constructors throw; `retry` and every policy's `execute` (the breaker,
 * the bulkhead and the limiter included) and `RateLimiter#acquire` reject.
 *
 * @module
 */

import {
  Bulkhead,
  CircuitBreaker,
  Classifier,
  classifyStatus,
  ConsecutiveFailuresStrategy,
  constant,
  CountWindowStrategy,
  exponential,
  fallbackPolicy,
  hedgePolicy,
  linear,
  MemoryStore,
  type Policy,
  RateLimiter,
  Result,
  retry,
  retryAfterMs,
  RetryBudget,
  retryPolicy,
  seededRandom,
  timeoutPolicy,
  TimeWindowStrategy,
  wrap,
} from "../../mod.ts";
import {
  bad,
  booleans,
  type Call,
  type Case,
  clocks,
  type Ctx,
  functions,
  numbers,
  options,
  signals,
  type Table,
} from "./_misuse.ts";
import { sharedStateOptions } from "./_stores.ts";

const noop = () => {};
const fn = () => 1;
const RATIO = "a number > 0 and <= 1";

/** A `result` that is not a `Result`. */
function results(template: string, call: Call): Case[] {
  return [null, 5, {}].map((result) =>
    bad(template, call, TypeError, "result", result, { constraint: "a Result" })
  );
}

/** The rows of `execute(fn, options)`, shared by every policy. */
export function execute(
  name: string,
  make: (ctx: Ctx) => Policy<unknown>,
): Case[] {
  return [
    ...functions(
      `${name}.execute($)`,
      (ctx, f) => make(ctx).execute(f, { signal: ctx.signal }),
      "fn",
    ),
    ...options(`${name}.execute(fn, $)`, (ctx, o) => make(ctx).execute(fn, o)),
    ...signals(
      `${name}.execute(fn, { signal: $ })`,
      (ctx, signal) => make(ctx).execute(fn, { signal }),
    ),
  ];
}

/** The rows of the options `retry` and `retryPolicy` share. */
function retryOptions(name: string, call: Call): Case[] {
  const at = (option: string) => `${name}({ ${option}: $ })`;
  const with_ = (option: string) => (ctx: Ctx, value: unknown) =>
    (call as (ctx: Ctx, o: unknown) => unknown)(ctx, {
      [option]: value,
      clock: ctx.clock,
    });
  return [
    ...options(`${name}($)`, call),
    ...numbers(
      at("maxAttempts"),
      with_("maxAttempts"),
      "maxAttempts",
      "count|Infinity",
    ),
    ...numbers(at("backoff"), with_("backoff"), "backoff", "duration").filter(
      (c) => c.error === RangeError,
    ),
    ...["fast", null, {}].map((backoff) =>
      bad(at("backoff"), with_("backoff"), TypeError, "backoff", backoff, {
        constraint: "a number or a Backoff",
      })
    ),
    ...functions(at("shouldHandle"), with_("shouldHandle"), "shouldHandle", [
      null,
      "all",
    ]),
    ...functions(at("onRetry"), with_("onRetry"), "onRetry", [null, "log"]),
    ...numbers(
      at("maxElapsedMs"),
      with_("maxElapsedMs"),
      "maxElapsedMs",
      "duration|Infinity",
      "a number >= 0",
    ),
    ...[null, {}].map((budget) =>
      bad(at("budget"), with_("budget"), TypeError, "budget", budget, {
        constraint: "a RetryBudget",
      })
    ),
    ...[null, {}].map((classifier) =>
      bad(
        at("classifier"),
        with_("classifier"),
        TypeError,
        "classifier",
        classifier,
        {
          constraint: "a Classifier",
        },
      )
    ),
    ...clocks(
      `${name}({ clock: $ })`,
      (ctx, clock) =>
        (call as (ctx: Ctx, o: unknown) => unknown)(ctx, { clock }),
    ),
  ];
}

/** The rows of a strategy's `restore(snapshot, now)`. */
function restore(
  name: string,
  make: () => { restore(s: never, now: number): void },
  kind: string,
): Case[] {
  return [null, 5, { kind: "other" }].map((snapshot) =>
    bad(
      `${name}.restore($, 0)`,
      (_, s) => make().restore(s as never, 0),
      TypeError,
      "snapshot",
      snapshot,
      { constraint: `a snapshot of kind "${kind}"` },
    )
  );
}

const STRATEGY_TIME = "called by the breaker with its clock's time";

const limiter = (ctx: Ctx) =>
  new RateLimiter({ limit: 2, intervalMs: 100, clock: ctx.clock });
const onStore = (ctx: Ctx) => ({
  store: new MemoryStore({ clock: ctx.clock }),
  key: "k",
  clock: ctx.clock,
});
const sharedLimiter = (ctx: Ctx) =>
  new RateLimiter({ limit: 2, intervalMs: 100, ...onStore(ctx) });
const sharedBudget = (ctx: Ctx) => new RetryBudget(onStore(ctx));
const sharedBreaker = (ctx: Ctx) => new CircuitBreaker(onStore(ctx));

/** The table of the resilience area. */
export const RESILIENCE: Table = {
  "new BulkheadRejectedError": {
    none: "an error class: fields measured by pledge",
  },
  "new CircuitOpenError": { none: "an error class: fields measured by pledge" },
  "new RateLimitedError": { none: "an error class: fields measured by pledge" },
  "new RetryError": { none: "an error class: fields measured by pledge" },

  "Result.ok": { none: "any value" },
  "Result.err": { none: "any error" },
  "Result.attempt": {
    throws: functions("Result.attempt($)", (_, f) => Result.attempt(f), "fn"),
  },
  "Result.map": {
    throws: [
      ...results("Result.map($, fn)", (_, r) => Result.map(r, fn)),
      ...functions(
        "Result.map(ok, $)",
        (_, f) => Result.map(Result.ok(1), f),
        "fn",
      ),
    ],
  },
  "Result.mapError": {
    throws: [
      ...results("Result.mapError($, fn)", (_, r) => Result.mapError(r, fn)),
      ...functions(
        "Result.mapError(err, $)",
        (_, f) => Result.mapError(Result.err(1), f),
        "fn",
      ),
    ],
  },
  "Result.unwrapOr": {
    throws: results("Result.unwrapOr($, 0)", (_, r) => Result.unwrapOr(r, 0)),
  },
  "Result.match": {
    throws: [
      ...results(
        "Result.match($, handlers)",
        (_, r) => Result.match(r, { ok: fn, err: fn }),
      ),
      ...[undefined, 5].map((handlers) =>
        bad(
          "Result.match(ok, $)",
          (_, h) => Result.match(Result.ok(1), h),
          TypeError,
          "handlers",
          handlers,
          { constraint: "an object" },
        )
      ),
      ...functions(
        "Result.match(ok, { ok: $ })",
        (_, f) => Result.match(Result.ok(1), { ok: f, err: fn }),
        "handlers.ok",
      ),
    ],
  },
  "Result.isOk": {
    throws: results("Result.isOk($)", (_, r) => Result.isOk(r)),
  },
  "Result.isErr": {
    throws: results("Result.isErr($)", (_, r) => Result.isErr(r)),
  },

  "new Classifier": {
    throws: [
      ...options("new Classifier($)", (_, o) => new Classifier(o)),
      ...booleans(
        "new Classifier({ builtIns: $ })",
        (_, builtIns) => new Classifier({ builtIns }),
        "builtIns",
      ),
    ],
  },
  "Classifier#use": {
    throws: functions(
      "classifier.use($)",
      (_, rule) => new Classifier().use(rule),
      "rule",
    ),
  },
  "Classifier#classify": { none: "any error" },
  "defaultClassifier": {
    none: "a Classifier: see Classifier#use and #classify",
  },
  "classify": { none: "any error" },
  "classifyStatus": {
    throws: [
      ...numbers(
        "classifyStatus($)",
        (_, status) => classifyStatus(status),
        "status",
        "count",
        "an integer from 100 to 599",
      ),
      bad(
        "classifyStatus($)",
        (_, s) => classifyStatus(s),
        RangeError,
        "status",
        600,
        {
          constraint: "an integer from 100 to 599",
        },
      ),
    ],
  },
  "retryAfterMs": {
    throws: [
      ...options('retryAfterMs("1", $)', (_, o) => retryAfterMs("1", o)),
      ...clocks(
        'retryAfterMs("1", { clock: $ })',
        (_, clock) => retryAfterMs("1", { clock }),
      ),
    ],
  },
  "seededRandom": {
    throws: [
      ...[1.5, NaN, Infinity, 2 ** 53].map((seed) =>
        bad(
          "seededRandom($)",
          (_, s) => seededRandom(s),
          RangeError,
          "seed",
          seed,
          {
            constraint: "a safe integer",
          },
        )
      ),
      bad(
        "seededRandom($)",
        (_, s) => seededRandom(s),
        TypeError,
        "seed",
        "5",
        {
          constraint: "a number",
        },
      ),
    ],
  },

  "constant": {
    throws: numbers("constant($)", (_, ms) => constant(ms), "ms", "duration"),
  },
  "linear": {
    throws: [
      ...options("linear($)", (_, o) => linear(o)),
      ...numbers(
        "linear({ initialMs: $ })",
        (_, initialMs) => linear({ initialMs }),
        "initialMs",
        "duration",
      ),
      ...numbers(
        "linear({ stepMs: $ })",
        (_, stepMs) => linear({ stepMs }),
        "stepMs",
        "duration",
      ),
      ...numbers(
        "linear({ maxMs: $ })",
        (_, maxMs) => linear({ maxMs }),
        "maxMs",
        "duration|Infinity",
        "a number >= 0",
      ),
    ],
  },
  "exponential": {
    throws: [
      ...options("exponential($)", (_, o) => exponential(o)),
      ...numbers(
        "exponential({ initialMs: $ })",
        (_, initialMs) => exponential({ initialMs }),
        "initialMs",
        "duration",
      ),
      ...[0, -1, NaN, Infinity].map((factor) =>
        bad(
          "exponential({ factor: $ })",
          (_, f) => exponential({ factor: f }),
          RangeError,
          "factor",
          factor,
          { constraint: "a finite number >= 1" },
        )
      ),
      ...numbers(
        "exponential({ maxMs: $ })",
        (_, maxMs) => exponential({ maxMs }),
        "maxMs",
        "duration|Infinity",
        "a number >= 0",
      ),
      bad(
        "exponential({ jitter: $ })",
        (_, jitter) => exponential({ jitter }),
        TypeError,
        "jitter",
        "random",
      ),
      ...functions(
        "exponential({ random: $ })",
        (_, random) => exponential({ random }),
        "random",
        [null, 0.5],
      ),
    ],
  },
  "Backoff#next": {
    throws: [
      ...numbers(
        "backoff.next($, 0)",
        (_, n) => exponential().next(n, 0),
        "retry",
        "count",
      ),
      ...numbers(
        "backoff.next(1, $)",
        (_, ms) => exponential().next(1, ms),
        "previousMs",
        "duration",
      ),
    ],
  },
  "Backoff#preview": {
    throws: [
      ...[-1, 1.5, NaN, Infinity, 1e21].map((n) =>
        bad(
          "backoff.preview($)",
          (_, v) => constant(1).preview(v),
          RangeError,
          "n",
          n,
          {
            constraint: "an integer from 0 to 1000000",
          },
        )
      ),
      bad(
        "backoff.preview($)",
        (_, v) => linear().preview(v),
        TypeError,
        "n",
        "5",
        {
          constraint: "a number",
        },
      ),
    ],
  },

  "new RetryBudget": {
    throws: [
      ...options("new RetryBudget($)", (_, o) => new RetryBudget(o)),
      ...numbers(
        "new RetryBudget({ maxRetries: $ })",
        (ctx, maxRetries) => new RetryBudget({ maxRetries, clock: ctx.clock }),
        "maxRetries",
        "count0",
      ),
      ...[null, 5].map((refill) =>
        bad(
          "new RetryBudget({ refill: $ })",
          (ctx, r) => new RetryBudget({ refill: r, clock: ctx.clock }),
          TypeError,
          "refill",
          refill,
          { constraint: "a rate { limit, intervalMs }" },
        )
      ),
      ...numbers(
        "new RetryBudget({ refill: { limit: $ } })",
        (ctx, limit) =>
          new RetryBudget({
            refill: { limit, intervalMs: 1000 },
            clock: ctx.clock,
          }),
        "refill.limit",
        "duration",
      ),
      ...numbers(
        "new RetryBudget({ refill: { intervalMs: $ } })",
        (ctx, intervalMs) =>
          new RetryBudget({
            refill: { limit: 1, intervalMs },
            clock: ctx.clock,
          }),
        "refill.intervalMs",
        "positive",
      ),
      ...numbers(
        "new RetryBudget({ ratio: $ })",
        (ctx, ratio) => new RetryBudget({ ratio, clock: ctx.clock }),
        "ratio",
        "duration",
      ),
      ...clocks(
        "new RetryBudget({ clock: $ })",
        (_, clock) => new RetryBudget({ clock }),
      ),
      ...sharedStateOptions(
        "RetryBudget",
        "updateBudget",
        (ctx, o) => new RetryBudget({ clock: ctx.clock, ...o }),
      ),
    ],
  },
  "RetryBudget#deposit": { none: "takes no arguments" },
  "RetryBudget#tryWithdraw": { none: "takes no arguments" },
  "RetryBudget#withdraw": {
    rejects: [
      ...options(
        "budget.withdraw($)",
        (ctx, o) => new RetryBudget({ clock: ctx.clock }).withdraw(o),
      ),
      ...options(
        "budget on a store.withdraw($)",
        (ctx, o) => sharedBudget(ctx).withdraw(o),
      ),
      ...signals(
        "budget on a store.withdraw({ signal: $ })",
        (ctx, signal) => sharedBudget(ctx).withdraw({ signal }),
      ),
    ],
  },

  "retry": {
    rejects: [
      ...functions(
        "retry($)",
        (ctx, f) => retry(f, { signal: ctx.signal, clock: ctx.clock }),
        "fn",
      ),
      ...retryOptions("retry(fn, …)", (_, o) => retry(fn, o)),
      ...signals(
        "retry(fn, { signal: $ })",
        (ctx, signal) => retry(fn, { signal, clock: ctx.clock }),
      ),
    ],
  },
  "retryPolicy": {
    throws: [
      ...retryOptions("retryPolicy", (_, o) => retryPolicy(o)),
      bad(
        "retryPolicy({ signal: $ })",
        (ctx, signal) => retryPolicy({ signal, clock: ctx.clock } as never),
        TypeError,
        "signal",
        new AbortController().signal,
        { constraint: "passed to execute() instead" },
      ),
    ],
  },
  "retryPolicy()#execute": {
    rejects: execute(
      "retryPolicy()",
      (ctx) => retryPolicy({ clock: ctx.clock }),
    ),
  },
  "timeoutPolicy": {
    throws: [
      ...numbers(
        "timeoutPolicy($)",
        (ctx, ms) => timeoutPolicy(ms, { clock: ctx.clock }),
        "ms",
        "duration",
      ),
      bad(
        "timeoutPolicy($)",
        (ctx, ms) => timeoutPolicy(ms, { clock: ctx.clock }),
        RangeError,
        "ms",
        2 ** 31,
        { constraint: "a finite number <= 2147483647" },
      ),
      ...options("timeoutPolicy(10, $)", (_, o) => timeoutPolicy(10, o)),
      bad(
        "timeoutPolicy(10, { mode: $ })",
        (ctx, mode) => timeoutPolicy(10, { mode, clock: ctx.clock }),
        TypeError,
        "mode",
        "strict",
        { constraint: `"aggressive" or "cooperative"` },
      ),
      ...clocks(
        "timeoutPolicy(10, { clock: $ })",
        (_, clock) => timeoutPolicy(10, { clock }),
      ),
    ],
  },
  "timeoutPolicy()#execute": {
    rejects: execute(
      "timeoutPolicy(10)",
      (ctx) => timeoutPolicy(10, { clock: ctx.clock }),
    ),
  },
  "fallbackPolicy": {
    throws: [
      ...options("fallbackPolicy(0, $)", (_, o) => fallbackPolicy(0, o)),
      ...functions(
        "fallbackPolicy(0, { shouldHandle: $ })",
        (_, shouldHandle) => fallbackPolicy(0, { shouldHandle }),
        "shouldHandle",
        [null, "all"],
      ),
      ...functions(
        "fallbackPolicy(0, { onFallback: $ })",
        (_, onFallback) => fallbackPolicy(0, { onFallback }),
        "onFallback",
        [null, "log"],
      ),
      bad(
        "fallbackPolicy(0, { classifier: $ })",
        (_, classifier) => fallbackPolicy(0, { classifier }),
        TypeError,
        "classifier",
        {},
        { constraint: "a Classifier" },
      ),
    ],
  },
  "fallbackPolicy()#execute": {
    rejects: execute("fallbackPolicy(0)", () => fallbackPolicy(0)),
  },
  "hedgePolicy": {
    throws: [
      ...options("hedgePolicy($)", (_, o) => hedgePolicy(o), {
        required: true,
      }),
      ...numbers(
        "hedgePolicy({ delayMs: $ })",
        (ctx, delayMs) => hedgePolicy({ delayMs, clock: ctx.clock }),
        "delayMs",
        "duration",
      ),
      ...numbers(
        "hedgePolicy({ maxHedges: $ })",
        (ctx, maxHedges) =>
          hedgePolicy({ delayMs: 10, maxHedges, clock: ctx.clock }),
        "maxHedges",
        "count",
      ),
      ...clocks(
        "hedgePolicy({ clock: $ })",
        (_, clock) => hedgePolicy({ delayMs: 10, clock }),
      ),
    ],
  },
  "hedgePolicy()#execute": {
    rejects: execute(
      "hedgePolicy()",
      (ctx) => hedgePolicy({ delayMs: 10, clock: ctx.clock }),
    ),
  },
  "wrap": {
    throws: [5, null, {}, noop].map((policy) =>
      bad("wrap($)", (_, p) => wrap(p), TypeError, "policies[0]", policy, {
        constraint: "a Policy",
      })
    ),
  },
  "wrap()#execute": {
    rejects: execute(
      "wrap(policy)",
      (ctx) => wrap(timeoutPolicy(10, { clock: ctx.clock })),
    ),
  },

  "new ConsecutiveFailuresStrategy": {
    throws: [
      ...options(
        "new ConsecutiveFailuresStrategy($)",
        (_, o) => new ConsecutiveFailuresStrategy(o),
      ),
      ...numbers(
        "new ConsecutiveFailuresStrategy({ threshold: $ })",
        (_, threshold) => new ConsecutiveFailuresStrategy({ threshold }),
        "threshold",
        "count",
      ),
    ],
  },
  "ConsecutiveFailuresStrategy#restore": {
    throws: [
      ...restore(
        "strategy",
        () => new ConsecutiveFailuresStrategy(),
        "consecutive",
      ),
      ...numbers(
        "strategy.restore({ failures: $ }, 0)",
        (_, failures) =>
          new ConsecutiveFailuresStrategy().restore(
            { kind: "consecutive", failures } as never,
            0,
          ),
        "snapshot.failures",
        "count0",
      ),
    ],
  },
  "ConsecutiveFailuresStrategy#recordSuccess": { none: STRATEGY_TIME },
  "ConsecutiveFailuresStrategy#recordFailure": { none: STRATEGY_TIME },
  "ConsecutiveFailuresStrategy#reset": { none: "takes no arguments" },
  "ConsecutiveFailuresStrategy#window": { none: STRATEGY_TIME },
  "ConsecutiveFailuresStrategy#snapshot": { none: STRATEGY_TIME },
  "new CountWindowStrategy": {
    throws: [
      ...options(
        "new CountWindowStrategy($)",
        (_, o) => new CountWindowStrategy(o),
      ),
      ...numbers(
        "new CountWindowStrategy({ failureRatio: $ })",
        (_, failureRatio) => new CountWindowStrategy({ failureRatio }),
        "failureRatio",
        "positive",
        RATIO,
      )
        .concat(
          bad(
            "new CountWindowStrategy({ failureRatio: $ })",
            (_, failureRatio) => new CountWindowStrategy({ failureRatio }),
            RangeError,
            "failureRatio",
            1.5,
            {
              constraint: RATIO,
            },
          ),
        ),
      ...numbers(
        "new CountWindowStrategy({ windowSize: $ })",
        (_, windowSize) => new CountWindowStrategy({ windowSize }),
        "windowSize",
        "count",
      ),
      ...numbers(
        "new CountWindowStrategy({ minimumThroughput: $ })",
        (_, minimumThroughput) =>
          new CountWindowStrategy({ minimumThroughput }),
        "minimumThroughput",
        "count",
      ),
    ],
  },
  "CountWindowStrategy#restore": {
    throws: restore("strategy", () => new CountWindowStrategy(), "count"),
  },
  "CountWindowStrategy#recordSuccess": { none: STRATEGY_TIME },
  "CountWindowStrategy#recordFailure": { none: STRATEGY_TIME },
  "CountWindowStrategy#reset": { none: "takes no arguments" },
  "CountWindowStrategy#window": { none: STRATEGY_TIME },
  "CountWindowStrategy#snapshot": { none: STRATEGY_TIME },
  "new TimeWindowStrategy": {
    throws: [
      ...options(
        "new TimeWindowStrategy($)",
        (_, o) => new TimeWindowStrategy(o),
      ),
      ...numbers(
        "new TimeWindowStrategy({ failureRatio: $ })",
        (_, failureRatio) => new TimeWindowStrategy({ failureRatio }),
        "failureRatio",
        "positive",
        RATIO,
      ),
      ...numbers(
        "new TimeWindowStrategy({ windowMs: $ })",
        (_, windowMs) => new TimeWindowStrategy({ windowMs }),
        "windowMs",
        "positive",
      ),
      ...numbers(
        "new TimeWindowStrategy({ buckets: $ })",
        (_, buckets) => new TimeWindowStrategy({ buckets }),
        "buckets",
        "count",
      ),
      ...numbers(
        "new TimeWindowStrategy({ minimumThroughput: $ })",
        (_, minimumThroughput) => new TimeWindowStrategy({ minimumThroughput }),
        "minimumThroughput",
        "count",
      ),
    ],
  },
  "TimeWindowStrategy#restore": {
    throws: restore("strategy", () => new TimeWindowStrategy(), "time"),
  },
  "TimeWindowStrategy#recordSuccess": { none: STRATEGY_TIME },
  "TimeWindowStrategy#recordFailure": { none: STRATEGY_TIME },
  "TimeWindowStrategy#reset": { none: "takes no arguments" },
  "TimeWindowStrategy#window": { none: STRATEGY_TIME },
  "TimeWindowStrategy#snapshot": { none: STRATEGY_TIME },

  "new CircuitBreaker": {
    throws: [
      ...options("new CircuitBreaker($)", (_, o) => new CircuitBreaker(o)),
      ...[null, {}, 5].map((strategy) =>
        bad(
          "new CircuitBreaker({ strategy: $ })",
          (ctx, s) => new CircuitBreaker({ strategy: s, clock: ctx.clock }),
          TypeError,
          "strategy",
          strategy,
          { constraint: "a BreakerStrategy" },
        )
      ),
      ...numbers(
        "new CircuitBreaker({ cooldownMs: $ })",
        (ctx, cooldownMs) =>
          new CircuitBreaker({ cooldownMs, clock: ctx.clock }),
        "cooldownMs",
        "duration",
      ).filter((c) => c.error === RangeError),
      bad(
        "new CircuitBreaker({ cooldownMs: $ })",
        (ctx, cooldownMs) =>
          new CircuitBreaker({ cooldownMs, clock: ctx.clock }),
        TypeError,
        "cooldownMs",
        "5",
        { constraint: "a number or a Backoff" },
      ),
      ...numbers(
        "new CircuitBreaker({ halfOpenMaxProbes: $ })",
        (ctx, halfOpenMaxProbes) =>
          new CircuitBreaker({ halfOpenMaxProbes, clock: ctx.clock }),
        "halfOpenMaxProbes",
        "count",
      ),
      ...numbers(
        "new CircuitBreaker({ successThreshold: $ })",
        (ctx, successThreshold) =>
          new CircuitBreaker({ successThreshold, clock: ctx.clock }),
        "successThreshold",
        "count",
      ),
      ...numbers(
        "new CircuitBreaker({ slowCallMs: $ })",
        (ctx, slowCallMs) =>
          new CircuitBreaker({ slowCallMs, clock: ctx.clock }),
        "slowCallMs",
        "duration|Infinity",
      ),
      ...["shouldHandle", "onStateChange", "onSuccess", "onFailure", "onReject"]
        .flatMap((option) =>
          functions(
            `new CircuitBreaker({ ${option}: $ })`,
            (ctx, f) => new CircuitBreaker({ [option]: f, clock: ctx.clock }),
            option,
            [
              null,
              "log",
            ],
          )
        ),
      bad(
        "new CircuitBreaker({ classifier: $ })",
        (ctx, classifier) =>
          new CircuitBreaker({ classifier, clock: ctx.clock }),
        TypeError,
        "classifier",
        {},
        { constraint: "a Classifier" },
      ),
      ...clocks(
        "new CircuitBreaker({ clock: $ })",
        (_, clock) => new CircuitBreaker({ clock }),
      ),
      ...[null, 5].map((initialState) =>
        bad(
          "new CircuitBreaker({ initialState: $ })",
          (ctx, s) => new CircuitBreaker({ initialState: s, clock: ctx.clock }),
          TypeError,
          "initialState",
          initialState,
          { constraint: "a snapshot object" },
        )
      ),
      ...sharedStateOptions(
        "CircuitBreaker",
        "updateCircuit",
        (ctx, o) => new CircuitBreaker({ clock: ctx.clock, ...o }),
        { probeLeaseMs: "positive" },
      ),
      bad(
        "new CircuitBreaker({ store, initialState: $ })",
        (ctx, initialState) =>
          new CircuitBreaker({ ...onStore(ctx), initialState }),
        TypeError,
        "initialState",
        { state: "open", remainingMs: 10, consecutiveOpenings: 1 },
        { constraint: "undefined with a store (the store holds the state)" },
      ),
    ],
  },
  "CircuitBreaker#execute": {
    rejects: [
      ...execute(
        "breaker",
        (ctx) => new CircuitBreaker({ clock: ctx.clock }),
      ),
      ...execute("breaker on a store", sharedBreaker),
    ],
  },
  "CircuitBreaker#isolate": { none: "takes no arguments" },
  "CircuitBreaker#reset": { none: "takes no arguments" },
  "CircuitBreaker#toJSON": { none: "takes no arguments" },

  "new Bulkhead": {
    throws: [
      ...options("new Bulkhead($)", (_, o) => new Bulkhead(o), {
        required: true,
      }),
      ...numbers(
        "new Bulkhead({ concurrency: $ })",
        (_, concurrency) => new Bulkhead({ concurrency }),
        "concurrency",
        "count",
      ),
      ...numbers(
        "new Bulkhead({ maxQueue: $ })",
        (_, maxQueue) => new Bulkhead({ concurrency: 1, maxQueue }),
        "maxQueue",
        "count0|Infinity",
      ),
    ],
  },
  "Bulkhead#execute": {
    rejects: execute("bulkhead", () => new Bulkhead({ concurrency: 1 })),
  },

  "new RateLimiter": {
    throws: [
      ...options("new RateLimiter($)", (_, o) => new RateLimiter(o), {
        required: true,
      }),
      ...numbers(
        "new RateLimiter({ limit: $ })",
        (ctx, limit) =>
          new RateLimiter({ limit, intervalMs: 100, clock: ctx.clock }),
        "limit",
        "count",
      ),
      ...numbers(
        "new RateLimiter({ intervalMs: $ })",
        (ctx, intervalMs) =>
          new RateLimiter({ limit: 1, intervalMs, clock: ctx.clock }),
        "intervalMs",
        "positive",
      ),
      ...numbers(
        "new RateLimiter({ burst: $ })",
        (ctx, burst) =>
          new RateLimiter({
            limit: 1,
            intervalMs: 100,
            burst,
            clock: ctx.clock,
          }),
        "burst",
        "count",
      ),
      bad(
        "new RateLimiter({ mode: $ })",
        (ctx, mode) =>
          new RateLimiter({
            limit: 1,
            intervalMs: 100,
            mode,
            clock: ctx.clock,
          }),
        TypeError,
        "mode",
        "drop",
        { constraint: `"wait" or "reject"` },
      ),
      ...clocks(
        "new RateLimiter({ clock: $ })",
        (_, clock) => new RateLimiter({ limit: 1, intervalMs: 100, clock }),
      ),
      ...sharedStateOptions(
        "RateLimiter",
        "takeTokens",
        (ctx, o) =>
          new RateLimiter({
            limit: 1,
            intervalMs: 100,
            clock: ctx.clock,
            ...o,
          }),
        { lease: "count", leaseMs: "positive" },
      ),
    ],
  },
  "RateLimiter#tryAcquire": {
    throws: [
      ...numbers(
        "limiter.tryAcquire($)",
        (ctx, w) => limiter(ctx).tryAcquire(w),
        "weight",
        "count",
      ),
      bad(
        "limiter.tryAcquire($)",
        (ctx, w) => limiter(ctx).tryAcquire(w),
        RangeError,
        "weight",
        3,
        {
          constraint: "an integer <= burst (2)",
        },
      ),
    ],
  },
  "RateLimiter#acquire": {
    rejects: [
      ...options("limiter.acquire($)", (ctx, o) => limiter(ctx).acquire(o)),
      ...numbers(
        "limiter.acquire({ weight: $ })",
        (ctx, weight) => limiter(ctx).acquire({ weight, signal: ctx.signal }),
        "weight",
        "count",
      ),
      bad(
        "limiter.acquire({ weight: $ })",
        (ctx, weight) => limiter(ctx).acquire({ weight, signal: ctx.signal }),
        RangeError,
        "weight",
        3,
        { constraint: "an integer <= burst (2)" },
      ),
      ...["drop", null].map((mode) =>
        bad(
          "limiter.acquire({ mode: $ })",
          (ctx, m) => limiter(ctx).acquire({ mode: m, signal: ctx.signal }),
          TypeError,
          "mode",
          mode,
          { constraint: `"wait" or "reject"` },
        )
      ),
      ...signals(
        "limiter.acquire({ signal: $ })",
        (ctx, signal) => limiter(ctx).acquire({ signal }),
      ),
      ...options(
        "limiter on a store.acquire($)",
        (ctx, o) => sharedLimiter(ctx).acquire(o),
      ),
      bad(
        "limiter on a store.acquire({ weight: $ })",
        (ctx, weight) =>
          sharedLimiter(ctx).acquire({ weight, signal: ctx.signal }),
        RangeError,
        "weight",
        3,
        { constraint: "an integer <= burst (2)" },
      ),
      ...signals(
        "limiter on a store.acquire({ signal: $ })",
        (ctx, signal) => sharedLimiter(ctx).acquire({ signal }),
      ),
    ],
  },
  "RateLimiter#execute": {
    rejects: [
      ...execute("limiter", limiter),
      ...execute("limiter on a store", sharedLimiter),
    ],
  },
};

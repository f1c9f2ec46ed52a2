/**
 * Resilience benchmarks: the success-path overhead of `retry`,
 * `retryPolicy`, `wrap(retry, timeout)` and `timeoutPolicy` (Resilience I),
 * and of the circuit breaker, the bulkhead, `wrap(retry, breaker, bulkhead)`,
 * the rate limiter and hedging (Resilience II), around an async function that
 * succeeds at once, against a bare call (the baseline) and the pinned peers
 * cockatiel 4.0.0, opossum 10.0.0 and p-retry 9.0.0, in the same run.
 *
 * One iteration is 1000 sequential awaited calls, so the per-call cost is the
 * reported time / 1000. Each group is self-contained (its own inputs, built
 * at module top), so other groups can be added to this file.
 *
 * Run: `deno bench -A --no-check bench/resilience_bench.ts`
 *
 * @module
 */

import {
  Bulkhead,
  CircuitBreaker,
  hedgePolicy,
  RateLimiter,
  retry,
  retryPolicy,
  timeoutPolicy,
  TimeWindowStrategy,
  wrap,
} from "@pledge/core";
import {
  bulkhead as ckBulkhead,
  circuitBreaker as ckCircuitBreaker,
  ConsecutiveBreaker,
  handleAll,
  retry as ckRetry,
  SamplingBreaker,
  timeout as ckTimeout,
  TimeoutStrategy,
  wrap as ckWrap,
} from "cockatiel";
import Opossum from "opossum";
import pRetry from "p-retry";

const CALLS = 1000;

function check(ok: boolean): void {
  if (!ok) throw new Error("bad result");
}

/**
 * Makes `CALLS` sequential awaited calls of `call` (each returning the next
 * value of a counter read by `counter`) and checks the last value. Used by
 * the Resilience II groups; the Resilience I groups inline their loops.
 */
function sequential(
  call: () => Promise<number>,
  counter: () => number,
): () => Promise<void> {
  return async () => {
    const start = counter();
    let last = 0;
    for (let i = 0; i < CALLS; i++) last = await call();
    check(last === start + CALLS);
  };
}

// --- retry: an async function that succeeds at once -----------------------
// Each case has its own loop (no shared helper), so every call site stays
// monomorphic and the cases pay nothing for each other.

let retryCounter = 0;
// deno-lint-ignore require-await
const retryFn = async (): Promise<number> => ++retryCounter;
const pledgeRetryOptions = { maxAttempts: 3 };
const pledgeRetryPolicy = retryPolicy({ maxAttempts: 3 });
const cockatielRetry = ckRetry(handleAll, { maxAttempts: 3 });
const pRetryOptions = { retries: 2 };

Deno.bench(
  { name: "bare await fn()", group: "retry", baseline: true },
  async () => {
    const start = retryCounter;
    let last = 0;
    for (let i = 0; i < CALLS; i++) last = await retryFn();
    check(last === start + CALLS);
  },
);
Deno.bench({ name: "pledge retry(fn, options)", group: "retry" }, async () => {
  const start = retryCounter;
  let last = 0;
  for (let i = 0; i < CALLS; i++) {
    last = await retry(retryFn, pledgeRetryOptions);
  }
  check(last === start + CALLS);
});
Deno.bench(
  { name: "pledge retryPolicy().execute(fn)", group: "retry" },
  async () => {
    const start = retryCounter;
    let last = 0;
    for (let i = 0; i < CALLS; i++) {
      last = await pledgeRetryPolicy.execute(
        retryFn,
      );
    }
    check(last === start + CALLS);
  },
);
Deno.bench(
  { name: "cockatiel retry().execute(fn)", group: "retry" },
  async () => {
    const start = retryCounter;
    let last = 0;
    for (let i = 0; i < CALLS; i++) {
      last = await cockatielRetry.execute(
        retryFn,
      );
    }
    check(last === start + CALLS);
  },
);
Deno.bench({ name: "p-retry pRetry(fn)", group: "retry" }, async () => {
  const start = retryCounter;
  let last = 0;
  for (let i = 0; i < CALLS; i++) last = await pRetry(retryFn, pRetryOptions);
  check(last === start + CALLS);
});

// --- wrap(retry, timeout): the same function, each attempt timed out -------

let wrapCounter = 0;
// deno-lint-ignore require-await
const wrapFn = async (): Promise<number> => ++wrapCounter;
const pledgeWrapped = wrap(
  retryPolicy({ maxAttempts: 3 }),
  timeoutPolicy(10_000),
);
const pledgeWrappedCooperative = wrap(
  retryPolicy({ maxAttempts: 3 }),
  timeoutPolicy(10_000, { mode: "cooperative" }),
);
const cockatielWrapped = ckWrap(
  ckRetry(handleAll, { maxAttempts: 3 }),
  ckTimeout(10_000, TimeoutStrategy.Cooperative),
);
const WRAP = "wrap(retry, timeout)";

Deno.bench(
  { name: "bare await fn()", group: WRAP, baseline: true },
  async () => {
    const start = wrapCounter;
    let last = 0;
    for (let i = 0; i < CALLS; i++) last = await wrapFn();
    check(last === start + CALLS);
  },
);
Deno.bench(
  { name: "pledge wrap(retry, timeout aggressive)", group: WRAP },
  async () => {
    const start = wrapCounter;
    let last = 0;
    for (let i = 0; i < CALLS; i++) last = await pledgeWrapped.execute(wrapFn);
    check(last === start + CALLS);
  },
);
Deno.bench(
  { name: "pledge wrap(retry, timeout cooperative)", group: WRAP },
  async () => {
    const start = wrapCounter;
    let last = 0;
    for (let i = 0; i < CALLS; i++) {
      last = await pledgeWrappedCooperative.execute(wrapFn);
    }
    check(last === start + CALLS);
  },
);
Deno.bench(
  { name: "cockatiel wrap(retry, timeout cooperative)", group: WRAP },
  async () => {
    const start = wrapCounter;
    let last = 0;
    for (let i = 0; i < CALLS; i++) {
      last = await cockatielWrapped.execute(
        wrapFn,
      );
    }
    check(last === start + CALLS);
  },
);

// --- timeout on work that settles first ------------------------------------

let timeoutCounter = 0;
// deno-lint-ignore require-await
const timeoutFn = async (): Promise<number> => ++timeoutCounter;
const pledgeTimeout = timeoutPolicy(10_000);
const pledgeTimeoutCooperative = timeoutPolicy(10_000, { mode: "cooperative" });
const cockatielTimeout = ckTimeout(10_000, TimeoutStrategy.Cooperative);
const cockatielTimeoutAggressive = ckTimeout(
  10_000,
  TimeoutStrategy.Aggressive,
);

Deno.bench(
  { name: "bare await fn()", group: "timeout", baseline: true },
  async () => {
    const start = timeoutCounter;
    let last = 0;
    for (let i = 0; i < CALLS; i++) last = await timeoutFn();
    check(last === start + CALLS);
  },
);
Deno.bench(
  { name: "pledge timeoutPolicy aggressive", group: "timeout" },
  async () => {
    const start = timeoutCounter;
    let last = 0;
    for (let i = 0; i < CALLS; i++) {
      last = await pledgeTimeout.execute(
        timeoutFn,
      );
    }
    check(last === start + CALLS);
  },
);
Deno.bench(
  { name: "pledge timeoutPolicy cooperative", group: "timeout" },
  async () => {
    const start = timeoutCounter;
    let last = 0;
    for (let i = 0; i < CALLS; i++) {
      last = await pledgeTimeoutCooperative.execute(timeoutFn);
    }
    check(last === start + CALLS);
  },
);
Deno.bench(
  { name: "cockatiel timeout cooperative", group: "timeout" },
  async () => {
    const start = timeoutCounter;
    let last = 0;
    for (let i = 0; i < CALLS; i++) {
      last = await cockatielTimeout.execute(
        timeoutFn,
      );
    }
    check(last === start + CALLS);
  },
);
Deno.bench(
  { name: "cockatiel timeout aggressive", group: "timeout" },
  async () => {
    const start = timeoutCounter;
    let last = 0;
    for (let i = 0; i < CALLS; i++) {
      last = await cockatielTimeoutAggressive.execute(timeoutFn);
    }
    check(last === start + CALLS);
  },
);

// --- Resilience II: breaker, bulkhead, stack, limiter and hedge -------------
// (Restored from the Resilience II helper's bench, which an edit of the
// Resilience I helper overwrote; same cases, on the `sequential` helper.)

let r2Counter = 0;
// deno-lint-ignore require-await
const r2Fn = async (): Promise<number> => ++r2Counter;
const r2Count = () => r2Counter;
const r2Direct = () => r2Fn();

// pledge
const breaker = new CircuitBreaker();
const sampling = new CircuitBreaker({
  strategy: new TimeWindowStrategy({ failureRatio: 0.2, windowMs: 30_000 }),
});
const pledgeBulkhead = new Bulkhead({ concurrency: 8, maxQueue: 1000 });
const stack = wrap(
  retryPolicy({ maxAttempts: 3 }),
  new CircuitBreaker(),
  new Bulkhead({ concurrency: 8, maxQueue: 1000 }),
);
const limiter = new RateLimiter({
  limit: 1_000_000_000,
  intervalMs: 1,
});
const hedge = hedgePolicy({ delayMs: 10_000 });

// cockatiel 4.0.0
const ckBreaker = ckCircuitBreaker(handleAll, {
  halfOpenAfter: 10_000,
  breaker: new ConsecutiveBreaker(5),
});
const ckSampling = ckCircuitBreaker(handleAll, {
  halfOpenAfter: 10_000,
  breaker: new SamplingBreaker({ threshold: 0.2, duration: 30_000 }),
});
const ckBulkheadPolicy = ckBulkhead(8, 1000);
const ckStack = ckWrap(
  ckRetry(handleAll, { maxAttempts: 3 }),
  ckCircuitBreaker(handleAll, {
    halfOpenAfter: 10_000,
    breaker: new ConsecutiveBreaker(5),
  }),
  ckBulkhead(8, 1000),
);

// opossum 10.0.0 (its breakers hold timers: shut them down on unload)
const opDefault = new Opossum(r2Fn);
const opNoTimeout = new Opossum(r2Fn, { timeout: false });
globalThis.addEventListener("unload", () => {
  opDefault.shutdown();
  opNoTimeout.shutdown();
});

// The floor: a hand-written consecutive-failure breaker.
let handFailures = 0;
async function handBreaker(f: () => Promise<number>): Promise<number> {
  if (handFailures >= 5) throw new Error("open");
  try {
    const v = await f();
    handFailures = 0;
    return v;
  } catch (e) {
    handFailures++;
    throw e;
  }
}

function r2Bench(
  group: string,
  name: string,
  call: () => Promise<number>,
  baseline = false,
): void {
  Deno.bench({ name, group, baseline }, sequential(call, r2Count));
}

r2Bench("breaker", "direct await fn()", r2Direct, true);
r2Bench("breaker", "hand-written breaker", () => handBreaker(r2Fn));
r2Bench(
  "breaker",
  "pledge CircuitBreaker (consecutive)",
  () => breaker.execute(r2Fn),
);
r2Bench(
  "breaker",
  "cockatiel circuitBreaker (consecutive)",
  () => ckBreaker.execute(r2Fn),
);
r2Bench(
  "breaker",
  "pledge CircuitBreaker (time window)",
  () => sampling.execute(r2Fn),
);
r2Bench(
  "breaker",
  "cockatiel circuitBreaker (sampling)",
  () => ckSampling.execute(r2Fn),
);
r2Bench(
  "breaker",
  "opossum { timeout: false }",
  () => opNoTimeout.fire() as Promise<number>,
);
r2Bench(
  "breaker",
  "opossum defaults",
  () => opDefault.fire() as Promise<number>,
);

r2Bench("bulkhead", "direct await fn()", r2Direct, true);
r2Bench(
  "bulkhead",
  "pledge Bulkhead(8, 1000)",
  () => pledgeBulkhead.execute(r2Fn),
);
r2Bench(
  "bulkhead",
  "cockatiel bulkhead(8, 1000)",
  () => ckBulkheadPolicy.execute(r2Fn),
);

r2Bench("stack", "direct await fn()", r2Direct, true);
r2Bench(
  "stack",
  "pledge wrap(retry, breaker, bulkhead)",
  () => stack.execute(r2Fn),
);
r2Bench(
  "stack",
  "cockatiel wrap(retry, breaker, bulkhead)",
  () => ckStack.execute(r2Fn),
);

r2Bench("limiter-hedge", "direct await fn()", r2Direct, true);
r2Bench(
  "limiter-hedge",
  "pledge RateLimiter (never short)",
  () => limiter.execute(r2Fn),
);
r2Bench(
  "limiter-hedge",
  "pledge hedgePolicy (first attempt wins)",
  () => hedge.execute(r2Fn),
);

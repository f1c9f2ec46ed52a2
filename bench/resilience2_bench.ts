/**
 * Resilience II benchmarks: the success-path overhead of the circuit breaker,
 * the bulkhead, the rate limiter and hedging, alone and composed, against
 * the pinned peers `cockatiel@4.0.0` and `opossum@10.0.0` in the same run.
 *
 * One iteration is 1000 sequential awaited calls of an already-resolving
 * function (`async () => ++counter`), so the time per iteration in µs is the
 * cost per call in ns. Each group's baseline is the direct call, so a case's
 * overhead is its time minus the baseline's; the peers are in the same group.
 *
 * - `breaker`: consecutive-failure breakers (pledge, cockatiel), the
 *   time-window ones (pledge `TimeWindowStrategy`, cockatiel
 *   `SamplingBreaker`), opossum with its defaults and without its timeout,
 *   and a hand-written try / await / count breaker (the floor).
 * - `bulkhead`: `Bulkhead({ maxConcurrent: 8, maxQueue: 1000 })` against
 *   cockatiel's `bulkhead(8, 1000)`.
 * - `stack`: `wrap(retry, breaker, bulkhead)` against cockatiel's
 *   `wrap(retry, circuitBreaker, bulkhead)`.
 * - `limiter-hedge`: a rate limiter that never runs short, and a hedge whose
 *   first attempt always wins (one timer-queue entry per call).
 *
 * Run: `deno bench -A --no-check bench/resilience2_bench.ts`
 *
 * @module
 */

import {
  Bulkhead,
  CircuitBreaker,
  hedgePolicy,
  RateLimiter,
  retryPolicy,
  TimeWindowStrategy,
  wrap,
} from "@pledge/core";
import {
  bulkhead as ckBulkheadOf,
  circuitBreaker,
  ConsecutiveBreaker,
  handleAll,
  retry as ckRetryOf,
  SamplingBreaker,
  wrap as ckWrap,
} from "cockatiel";
import Opossum from "opossum";

const CALLS = 1000;
let counter = 0;
// The already-resolving function of the research baselines.
// deno-lint-ignore require-await
const fn = async (): Promise<number> => ++counter;

function check(last: number, first: number): void {
  if (last - first !== CALLS) throw new Error("bad result");
}

// pledge
const breaker = new CircuitBreaker();
const sampling = new CircuitBreaker({
  strategy: new TimeWindowStrategy({ failureRatio: 0.2, windowMs: 30_000 }),
});
const bulkhead = new Bulkhead({ maxConcurrent: 8, maxQueue: 1000 });
const stack = wrap(
  retryPolicy({ maxAttempts: 3 }),
  new CircuitBreaker(),
  new Bulkhead({ maxConcurrent: 8, maxQueue: 1000 }),
);
const limiter = new RateLimiter({
  tokensPerInterval: 1_000_000_000,
  intervalMs: 1,
});
const hedge = hedgePolicy({ delayMs: 10_000 });

// cockatiel 4.0.0
const ckBreaker = circuitBreaker(handleAll, {
  halfOpenAfter: 10_000,
  breaker: new ConsecutiveBreaker(5),
});
const ckSampling = circuitBreaker(handleAll, {
  halfOpenAfter: 10_000,
  breaker: new SamplingBreaker({ threshold: 0.2, duration: 30_000 }),
});
const ckBulkhead = ckBulkheadOf(8, 1000);
const ckStack = ckWrap(
  ckRetryOf(handleAll, { maxAttempts: 3 }),
  circuitBreaker(handleAll, {
    halfOpenAfter: 10_000,
    breaker: new ConsecutiveBreaker(5),
  }),
  ckBulkheadOf(8, 1000),
);

// opossum 10.0.0 (its breakers hold timers: shut them down on unload)
const opDefault = new Opossum(fn);
const opNoTimeout = new Opossum(fn, { timeout: false });
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

type Call = () => Promise<number>;

function bench(group: string, name: string, call: Call, baseline = false) {
  Deno.bench({ name, group, baseline }, async () => {
    const first = counter;
    let last = 0;
    for (let i = 0; i < CALLS; i++) last = await call();
    check(last, first);
  });
}

const direct: Call = () => fn();

bench("breaker", "direct await fn()", direct, true);
bench("breaker", "hand-written breaker", () => handBreaker(fn));
bench(
  "breaker",
  "pledge CircuitBreaker (consecutive)",
  () => breaker.execute(fn),
);
bench(
  "breaker",
  "cockatiel circuitBreaker (consecutive)",
  () => ckBreaker.execute(fn),
);
bench(
  "breaker",
  "pledge CircuitBreaker (time window)",
  () => sampling.execute(fn),
);
bench(
  "breaker",
  "cockatiel circuitBreaker (sampling)",
  () => ckSampling.execute(fn),
);
bench(
  "breaker",
  "opossum { timeout: false }",
  () => opNoTimeout.fire() as Promise<number>,
);
bench("breaker", "opossum defaults", () => opDefault.fire() as Promise<number>);

bench("bulkhead", "direct await fn()", direct, true);
bench("bulkhead", "pledge Bulkhead(8, 1000)", () => bulkhead.execute(fn));
bench("bulkhead", "cockatiel bulkhead(8, 1000)", () => ckBulkhead.execute(fn));

bench("stack", "direct await fn()", direct, true);
bench(
  "stack",
  "pledge wrap(retry, breaker, bulkhead)",
  () => stack.execute(fn),
);
bench(
  "stack",
  "cockatiel wrap(retry, breaker, bulkhead)",
  () => ckStack.execute(fn),
);

bench("limiter-hedge", "direct await fn()", direct, true);
bench(
  "limiter-hedge",
  "pledge RateLimiter (never short)",
  () => limiter.execute(fn),
);
bench(
  "limiter-hedge",
  "pledge hedgePolicy (first attempt wins)",
  () => hedge.execute(fn),
);

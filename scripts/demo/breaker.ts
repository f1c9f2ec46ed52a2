/**
 * The breaker part of the tour: a dependency that fails for a while, called
 * every 250 ms of virtual time through a circuit breaker, with its state
 * transitions printed; then a bulkhead, a rate limiter and a hedge, each in
 * one line.
 *
 * @module
 */

import {
  Bulkhead,
  BulkheadRejectedError,
  CircuitBreaker,
  CircuitOpenError,
  CountWindowStrategy,
  exponential,
  hedgePolicy,
  RateLimiter,
  VirtualClock,
} from "@pledge/core";

async function breakerPart(): Promise<void> {
  const clock = new VirtualClock();
  const at = () => `t=${String(clock.now()).padStart(4)} ms`;
  const breaker = new CircuitBreaker({
    clock,
    strategy: new CountWindowStrategy({ failureRatio: 0.5, windowSize: 4 }),
    cooldownMs: exponential({ initialMs: 500, factor: 2 }),
    successThreshold: 2,
    onStateChange: ({ from, to }) => console.log(`${at()}  ${from} -> ${to}`),
  });
  // Down from 750 ms to 2600 ms.
  const dependency = () =>
    clock.now() >= 750 && clock.now() < 2600
      ? Promise.reject(new Error("503 Service Unavailable"))
      : Promise.resolve("200 OK");
  console.log("a dependency down from 750 to 2600 ms, called every 250 ms:");
  for (let t = 0; t <= 5000; t += 250) {
    const outcome = await breaker.execute(dependency).catch((e) =>
      e instanceof CircuitOpenError
        ? `refused, retry after ${e.retryAfterMs} ms`
        : (e as Error).message
    );
    console.log(`${at()}    ${outcome}`);
    clock.tick(250);
  }
  const { successes, failures, rejections } = breaker.stats;
  console.log(
    `${successes} successes, ${failures} failures, ${rejections} calls refused without reaching the dependency`,
  );
}

async function othersPart(): Promise<void> {
  const clock = new VirtualClock();
  const sleep = (ms: number) =>
    new Promise<void>((r) => clock.setTimeout(r, ms));

  const bulkhead = new Bulkhead({ concurrency: 2, maxQueue: 1 });
  const outcomes = await clock.runUntilSettled(Promise.all(
    [1, 2, 3, 4].map((i) =>
      bulkhead.execute(() => sleep(100).then(() => `call ${i} done`)).catch(
        (e) => e instanceof BulkheadRejectedError ? `call ${i} rejected` : e,
      )
    ),
  ));
  console.log(`bulkhead(2 running, 1 queued): ${outcomes.join(", ")}`);

  const limiter = new RateLimiter({
    limit: 2,
    intervalMs: 1000,
    clock,
  });
  const starts: number[] = [];
  await clock.runUntilSettled(Promise.all(
    [1, 2, 3, 4, 5].map(() => limiter.execute(() => starts.push(clock.now()))),
  ));
  console.log(
    `rate limiter (2 per second): calls start at ${starts.join(", ")} ms`,
  );

  const hedge = hedgePolicy({ delayMs: 100, clock });
  const latencies = [400, 60];
  let attempt = 0;
  const t0 = clock.now();
  const winner = await clock.runUntilSettled(hedge.execute(({ signal }) => {
    const i = attempt++;
    return new Promise<string>((resolve, reject) => {
      const timer = clock.setTimeout(
        () => resolve(`replica ${i}`),
        latencies[i]!,
      );
      signal.addEventListener("abort", () => {
        clock.clearTimeout(timer);
        reject(signal.reason);
      });
    });
  }));
  console.log(
    `hedge (100 ms): ${winner} answered after ${
      clock.now() - t0
    } ms; the slow one was aborted`,
  );
}

/** Runs the breaker part of the tour. */
export async function demo(): Promise<void> {
  await breakerPart();
  await othersPart();
}

import {
  classify,
  exponential,
  fallbackPolicy,
  retryPolicy,
  seededRandom,
  timeoutPolicy,
  VirtualClock,
  wrap,
} from "../../mod.ts";

/**
 * A flaky service on the virtual clock, called through
 * wrap(fallback, retry with seeded full jitter, timeout), printing the
 * schedule of attempts and waits.
 */
export async function demo(): Promise<void> {
  const clock = new VirtualClock();
  const backoff = () =>
    exponential({
      initialMs: 100,
      factor: 2,
      maxMs: 2000,
      jitter: "full",
      random: seededRandom(2024),
    });
  console.log(
    "backoff preview (full jitter, seed 2024):",
    backoff().preview(6).join(", "),
    "ms",
  );

  // The service: 503, network error, a hang, 429 with Retry-After, then OK.
  const script = ["503", "network", "hang", "429", "ok"];
  const service = (
    { attempt, signal }: { attempt: number; signal: AbortSignal },
  ) => {
    const step = script[attempt - 1] ?? "ok";
    console.log(
      `  t=${String(clock.now()).padStart(5)} ms  attempt ${attempt}: ${step}`,
    );
    switch (step) {
      case "503":
        return Promise.reject(new Response(null, { status: 503 }));
      case "network":
        return Promise.reject(new TypeError("fetch failed"));
      case "hang":
        return new Promise<string>((_, reject) =>
          signal.addEventListener("abort", () => reject(signal.reason))
        );
      case "429":
        return Promise.reject(
          new Response(null, { status: 429, headers: { "Retry-After": "3" } }),
        );
      default:
        return Promise.resolve("fresh data");
    }
  };

  const policy = wrap(
    fallbackPolicy("cached data", {
      onFallback: (e) => console.log("  fallback after", (e as Error).name),
    }),
    retryPolicy({
      maxAttempts: 6,
      backoff: backoff(),
      clock,
      onRetry: ({ attempt, classification, delayMs }) =>
        console.log(
          `  t=${
            String(clock.now()).padStart(5)
          } ms  attempt ${attempt} was ${classification}: waiting ${delayMs} ms`,
        ),
    }),
    timeoutPolicy(500, { clock }),
  );
  const result = await clock.runUntilSettled(policy.execute(service));
  console.log(`result: ${result} at t=${clock.now()} ms`);
  console.log("timers left:", clock.pendingTimers);

  // The same calls against a service that never recovers: the fallback.
  const down = () => Promise.reject(new Response(null, { status: 502 }));
  console.log(
    "classify(502 response):",
    classify(await down().catch((e) => e)),
  );
  const degraded = await clock.runUntilSettled(policy.execute(down));
  console.log(
    `result when the service stays down: ${degraded} at t=${clock.now()} ms`,
  );
}

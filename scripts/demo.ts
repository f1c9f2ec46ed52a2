/**
 * `deno task demo`: a tour of pledge, one part per area, all on virtual time
 * except where a part says otherwise (the workers part measures real work).
 *
 * @module
 */

import { demo as future } from "./demo/future.ts";
import { demo as cancel } from "./demo/cancel.ts";
import { demo as combinators } from "./demo/combinators.ts";
import { demo as executors } from "./demo/executors.ts";
import { demo as loop } from "./demo/loop.ts";
import { demo as resilience } from "./demo/resilience.ts";
import { demo as breaker } from "./demo/breaker.ts";
// workers: the parallel map-reduce (real time, real cores).
import { demo as workers } from "./demo/workers.ts";

const parts: [string, () => Promise<void>][] = [
  ["Future and Completer", future],
  ["Cancellation", cancel],
  ["Combinators", combinators],
  ["Executors", executors],
  ["Event loop", loop],
  ["Resilience: retry, timeout, fallback", resilience],
  ["Resilience: circuit breaker, bulkhead, rate limiter, hedging", breaker],
  // workers:
  ["Workers: the map-reduce in parallel", workers],
];

for (const [title, run] of parts) {
  console.log(`\n=== ${title} ===`);
  await run();
}

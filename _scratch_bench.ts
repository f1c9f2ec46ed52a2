import { Future } from "./src/future/future.ts";
import { resolveFuture } from "./src/future/future.ts";
import { timerQueueFor } from "./src/core/_timer_queue.ts";
import { systemClock } from "./src/core/clock.ts";
const CALLS = 1000;
const resolved = Promise.resolve(1);
const q = timerQueueFor(systemClock);
const noop = () => {};
Deno.bench({ name: "bare await", group: "g", baseline: true }, async () => {
  let s = 0; for (let i = 0; i < CALLS; i++) s += await resolved;
});
Deno.bench({ name: "await future resolved via then", group: "g" }, async () => {
  let s = 0;
  for (let i = 0; i < CALLS; i++) {
    const out = new Future<number>();
    resolved.then((v) => resolveFuture(out, v), noop);
    s += await out;
  }
});
Deno.bench({ name: "await native via then", group: "g" }, async () => {
  let s = 0;
  for (let i = 0; i < CALLS; i++) {
    const out = resolved.then((v) => v);
    s += await out;
  }
});
Deno.bench({ name: "schedule+cancel + await", group: "g" }, async () => {
  let s = 0;
  for (let i = 0; i < CALLS; i++) {
    const e = q.schedule(noop, 10000);
    q.cancel(e);
    s += await resolved;
  }
});

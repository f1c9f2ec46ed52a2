/**
 * VirtualClock vs @sinonjs/fake-timers 15.5.0 (pinned) `createClock()`, same
 * run: schedule N timers with seeded random delays, then run them all; and
 * `tick(1)` with P far-future timers pending.
 *
 * @module
 */
import FakeTimers from "@sinonjs/fake-timers";
import { VirtualClock } from "../mod.ts";

function delays(n: number, seed = 42): number[] {
  let s = seed >>> 0;
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * 60_000);
  }
  return out;
}

for (const n of [10_000, 100_000]) {
  const ds = delays(n);
  const group = `schedule+run ${n} random timers`;
  Deno.bench({ name: `VirtualClock ${n}`, group, baseline: true }, () => {
    const clock = new VirtualClock({ loopLimit: n + 10 });
    let fired = 0;
    const cb = () => fired++;
    for (let i = 0; i < n; i++) clock.setTimeout(cb, ds[i]!);
    clock.runAll();
    if (fired !== n) throw new Error("bad count");
  });
  Deno.bench({ name: `fake-timers 15.5.0 ${n}`, group }, () => {
    const clock = FakeTimers.createClock(0, n + 10);
    let fired = 0;
    const cb = () => fired++;
    for (let i = 0; i < n; i++) clock.setTimeout(cb, ds[i]!);
    clock.runAll();
    if (fired !== n) throw new Error("bad count");
  });
}

// tick(1) with P far-future timers pending: the cost must not depend on P.
const noop = () => {};
const pendingClocks = [10, 100_000].map((p) => {
  const clock = new VirtualClock();
  for (let i = 0; i < p; i++) clock.setTimeout(noop, 1e9 + i);
  const fake = FakeTimers.createClock(0, 1e6);
  for (let i = 0; i < p; i++) fake.setTimeout(noop, 1e9 + i);
  return { p, clock, fake };
});

for (const { p, clock, fake } of pendingClocks) {
  const group = `1000 x tick(1) with ${p} far-future timers`;
  Deno.bench(
    { name: `VirtualClock, ${p} pending`, group, baseline: true },
    () => {
      for (let i = 0; i < 1000; i++) clock.tick(1);
      if (clock.pendingTimers !== p) throw new Error("bad pending");
    },
  );
  Deno.bench({ name: `fake-timers 15.5.0, ${p} pending`, group }, () => {
    for (let i = 0; i < 1000; i++) fake.tick(1);
  });
}

Deno.bench({
  name: "VirtualClock: 1000 x tick(1), 10 pending (same group as 100k)",
  group: "tick cost independent of P",
  baseline: true,
}, () => {
  const c = pendingClocks[0]!.clock;
  for (let i = 0; i < 1000; i++) c.tick(1);
});
Deno.bench({
  name: "VirtualClock: 1000 x tick(1), 100000 pending",
  group: "tick cost independent of P",
}, () => {
  const c = pendingClocks[1]!.clock;
  for (let i = 0; i < 1000; i++) c.tick(1);
});

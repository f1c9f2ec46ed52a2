/**
 * VirtualClock vs @sinonjs/fake-timers 15.5.0 (pinned) `createClock()`, same
 * run: schedule N timers with seeded random delays, then run them all; and
 * `tick(1)` with P far-future timers pending.
 *
 * @module
 */
import FakeTimers from "@sinonjs/fake-timers";
import { VirtualClock } from "../mod.ts";
import { TIMERS_AND_DATE } from "../tests/loop/_installed_corpus.ts";

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

// ------------------------------------------------------------- installed
// VirtualClock.install() against @sinonjs/fake-timers 15.5.0's install(),
// both over the same globals, driving code that calls setTimeout itself.

const FAKED = [...TIMERS_AND_DATE] as FakeTimers.FakeMethod[];
const installedDelays = delays(100_000, 7);

Deno.bench({
  name: "VirtualClock.install(), 100,000 random timers, runAll",
  group: "installed: 100,000 random timers, runAll",
  baseline: true,
}, () => {
  using clock = VirtualClock.install({ loopLimit: 200_000 });
  let fired = 0;
  const cb = () => fired++;
  for (let i = 0; i < 100_000; i++) setTimeout(cb, installedDelays[i]!);
  clock.runAll();
  if (fired !== 100_000) throw new Error("bad count");
});
Deno.bench({
  name: "fake-timers 15.5.0 install(), 100,000 random timers, runAll",
  group: "installed: 100,000 random timers, runAll",
}, () => {
  const clock = FakeTimers.install({ loopLimit: 200_000, toFake: FAKED });
  try {
    let fired = 0;
    const cb = () => fired++;
    for (let i = 0; i < 100_000; i++) setTimeout(cb, installedDelays[i]!);
    clock.runAll();
    if (fired !== 100_000) throw new Error("bad count");
  } finally {
    clock.uninstall();
  }
});

// Each callback awaits twice before it counts: the async driver must let
// the host drain its microtasks after every timer.
function armAwaiting(n: number, done: { count: number }): void {
  for (let i = 0; i < n; i++) {
    setTimeout(async () => {
      await null;
      await Promise.resolve();
      done.count++;
    }, installedDelays[i]! % 5_000);
  }
}

Deno.bench({
  name: "VirtualClock.install(), 1,000 awaiting timers, runAllAsync",
  group: "installed: 1,000 timers that each await, runAllAsync",
  baseline: true,
}, async () => {
  using clock = VirtualClock.install({ loopLimit: 10_000 });
  const done = { count: 0 };
  armAwaiting(1_000, done);
  await clock.runAllAsync();
  if (done.count !== 1_000) throw new Error("bad count");
});
Deno.bench({
  name: "fake-timers 15.5.0 install(), 1,000 awaiting timers, runAllAsync",
  group: "installed: 1,000 timers that each await, runAllAsync",
}, async () => {
  const clock = FakeTimers.install({ loopLimit: 10_000, toFake: FAKED });
  try {
    const done = { count: 0 };
    armAwaiting(1_000, done);
    await clock.runAllAsync();
    if (done.count !== 1_000) throw new Error("bad count");
  } finally {
    clock.uninstall();
  }
});

Deno.bench({
  name: "VirtualClock.install() + uninstall",
  group: "installed: install + uninstall",
  baseline: true,
}, () => {
  VirtualClock.install().uninstall();
});
Deno.bench({
  name: "fake-timers 15.5.0 install() + uninstall",
  group: "installed: install + uninstall",
}, () => {
  FakeTimers.install({ toFake: FAKED }).uninstall();
});

// The cost of the async drivers' mechanism: a host macrotask per callback
// (batched), against running the same 1,000 timers back to back.
Deno.bench({
  name: "runAll, 1,000 timers (no host turns)",
  group: "async driver overhead per callback",
  baseline: true,
}, () => {
  const clock = new VirtualClock();
  for (let i = 0; i < 1_000; i++) clock.setTimeout(noop, i);
  clock.runAll();
});
Deno.bench({
  name: "runAllAsync, 1,000 timers (a host turn each)",
  group: "async driver overhead per callback",
}, async () => {
  const clock = new VirtualClock();
  for (let i = 0; i < 1_000; i++) clock.setTimeout(noop, i);
  await clock.runAllAsync();
});

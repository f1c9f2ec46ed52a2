/**
 * EventLoop benchmarks (issue 6), each group against its baseline in the same
 * run:
 * - 100,000 random timers scheduled and run, tracing off, vs
 *   @sinonjs/fake-timers 15.5.0 (`createClock(0, N + 10)` + `runAll`);
 * - growth from 10,000 to 100,000 timers;
 * - tracing on vs off;
 * - async driving: `runAllAsync` vs the synchronous `runAll` (the difference
 *   per timer is the overhead per virtual task), with fake-timers'
 *   `runAllAsync` for reference.
 *
 * Run: `deno bench -A --no-check bench/loop_bench.ts`.
 */

import FakeTimers from "@sinonjs/fake-timers";
import { EventLoop, type ProfileName } from "../mod.ts";

// A seeded PRNG (mulberry32), so every run schedules the same delays.
function mulberry32(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randomDelays(n: number, seed: number): number[] {
  const random = mulberry32(seed);
  return Array.from({ length: n }, () => Math.floor(random() * 60_000));
}

const D10K = randomDelays(10_000, 1);
const D100K = randomDelays(100_000, 1);
const D1K = randomDelays(1_000, 2);

let fired = 0;
const onTimer = (): void => {
  fired++;
};

function check(n: number): void {
  if (fired !== n) throw new Error(`expected ${n} callbacks, ran ${fired}`);
  fired = 0;
}

function runLoop(
  delays: number[],
  profile: ProfileName,
  trace: boolean,
): EventLoop {
  const loop = new EventLoop({ profile, trace, loopLimit: delays.length + 10 });
  for (let i = 0; i < delays.length; i++) loop.setTimeout(onTimer, delays[i]);
  loop.runAll();
  check(delays.length);
  return loop;
}

function runFake(delays: number[]): void {
  const clock = FakeTimers.createClock(0, delays.length + 10);
  for (let i = 0; i < delays.length; i++) clock.setTimeout(onTimer, delays[i]!);
  clock.runAll();
  check(delays.length);
}

{
  const group = "100,000 random timers, schedule + runAll";
  Deno.bench({ name: "fake-timers 15.5.0", group, baseline: true }, () => {
    runFake(D100K);
  });
  Deno.bench({ name: "EventLoop node, tracing off", group }, () => {
    runLoop(D100K, "node", false);
  });
  Deno.bench({ name: "EventLoop html, tracing off", group }, () => {
    runLoop(D100K, "html", false);
  });
}

{
  const group = "EventLoop growth 10k -> 100k timers";
  Deno.bench({ name: "EventLoop node 10,000", group, baseline: true }, () => {
    runLoop(D10K, "node", false);
  });
  Deno.bench({ name: "EventLoop node 100,000", group }, () => {
    runLoop(D100K, "node", false);
  });
}

{
  const group = "EventLoop tracing, 100,000 timers";
  Deno.bench({ name: "tracing off", group, baseline: true }, () => {
    runLoop(D100K, "node", false);
  });
  Deno.bench({ name: "tracing on", group }, () => {
    const loop = runLoop(D100K, "node", true);
    if (loop.trace.events.length !== D100K.length) throw new Error("trace");
  });
}

{
  const group = "async driving, 1,000 timers";
  Deno.bench({ name: "EventLoop runAll (sync)", group, baseline: true }, () => {
    runLoop(D1K, "node", false);
  });
  Deno.bench({ name: "EventLoop runAllAsync", group }, async () => {
    const loop = new EventLoop({ profile: "node" });
    for (let i = 0; i < D1K.length; i++) loop.setTimeout(onTimer, D1K[i]);
    await loop.runAllAsync();
    check(D1K.length);
  });
  Deno.bench({ name: "fake-timers 15.5.0 runAllAsync", group }, async () => {
    const clock = FakeTimers.createClock(0, D1K.length + 10);
    for (let i = 0; i < D1K.length; i++) clock.setTimeout(onTimer, D1K[i]!);
    await clock.runAllAsync();
    check(D1K.length);
  });
}

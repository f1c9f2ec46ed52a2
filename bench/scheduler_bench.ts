/**
 * PriorityScheduler throughput, same run: 10,000 tasks posted then run on a
 * VirtualClock, against the floor a scheduler cannot beat, a plain RingQueue
 * of closures drained in one loop. The scheduler also allocates a future and
 * a handle per task, picks across five priorities and runs in slices.
 *
 * @module
 */
import { PriorityScheduler, type TaskPriority, VirtualClock } from "../mod.ts";
import { RingQueue } from "../src/core/_ring.ts";

const N = 10_000;
const LEVELS: TaskPriority[] = ["immediate", "high", "normal", "low", "idle"];
// Seeded mixed priorities, built once.
const mixed: TaskPriority[] = Array.from(
  { length: N },
  (_, i) => LEVELS[(i * 7919) % 5]!,
);
const group = `scheduler: ${N} tasks`;

Deno.bench(
  { name: "RingQueue drain (baseline)", group, baseline: true },
  () => {
    const queue = new RingQueue<() => void>();
    let ran = 0;
    const task = () => void ran++;
    for (let i = 0; i < N; i++) queue.push(task);
    for (let t = queue.shift(); t !== undefined; t = queue.shift()) t();
    if (ran !== N) throw new Error("bad count");
  },
);

Deno.bench({ name: "PriorityScheduler, one priority", group }, () => {
  const clock = new VirtualClock();
  const scheduler = new PriorityScheduler({ clock });
  let ran = 0;
  const task = () => void ran++;
  for (let i = 0; i < N; i++) scheduler.post(task);
  clock.runAll();
  if (ran !== N || scheduler.queued !== 0) throw new Error("bad count");
});

Deno.bench({ name: "PriorityScheduler, mixed priorities", group }, () => {
  const clock = new VirtualClock();
  const scheduler = new PriorityScheduler({ clock });
  let ran = 0;
  const task = () => void ran++;
  for (let i = 0; i < N; i++) scheduler.post(task, { priority: mixed[i]! });
  clock.runAll();
  if (ran !== N || scheduler.queued !== 0) throw new Error("bad count");
});

Deno.bench(
  { name: "PriorityScheduler, generators yielding once", group },
  () => {
    const clock = new VirtualClock();
    const scheduler = new PriorityScheduler({ clock });
    let ran = 0;
    const task = function* () {
      ran++;
      yield;
      ran++;
    };
    for (let i = 0; i < N; i++) scheduler.post(task);
    clock.runAll();
    if (ran !== 2 * N || scheduler.queued !== 0) throw new Error("bad count");
  },
);

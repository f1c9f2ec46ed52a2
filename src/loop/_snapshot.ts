/**
 * `EventLoop.snapshot()`: every callback waiting in the loop's queues, each
 * queue in run order, labelled as the trace would label it.
 *
 * @module
 */

import type { QueuedCallback } from "./event_loop.ts";
import type { AnyFn, Job, LoopEngine } from "./_loop_engine.ts";
import type { LoopTurns } from "./_loop_models.ts";
import type { RingQueue } from "../core/_ring.ts";

/** The waiting callbacks of a loop. */
export function snapshotOf(e: LoopEngine, turns: LoopTurns): QueuedCallback[] {
  const out: QueuedCallback[] = [];
  const add = (queue: string, j: Job, due: number | undefined) => {
    if (j.cancelled) return;
    out.push({
      queue,
      label: e.labelOf(j.fn, j.api, j.id, j.label),
      enqueuedBy: j.by,
      enqueuedAt: j.at,
      dueAt: due,
    });
  };
  const ring = (queue: string, q: RingQueue<Job>) => {
    for (let i = 0; i < q.length; i++) add(queue, q.at(i)!, undefined);
  };
  ring("nextTick", e.ticks);
  ring("microtasks", e.micro);
  const t = e.timers;
  for (const slot of t.liveSlots()) {
    const fn = t.callback[slot] as AnyFn;
    const interval = t.interval[slot] === 1;
    out.push({
      queue: "timers",
      label: e.userLabel(fn) ??
        `${interval ? "setInterval" : "setTimeout"}(${t.ms[slot]}) #${
          t.id[slot]
        }`,
      enqueuedBy: t.by[slot] || undefined,
      enqueuedAt: t.at[slot]!,
      dueAt: t.due[slot],
    });
  }
  ring("immediates", turns.immediates);
  for (const j of turns.frames.values()) add("animation-frames", j, undefined);
  turns.tasks.forEachQueued(add);
  turns.messages.forEachQueued((label, at) =>
    out.push({
      queue: "messages",
      label,
      enqueuedBy: undefined,
      enqueuedAt: at,
      dueAt: undefined,
    })
  );
  ring("events", e.events);
  turns.forEachAbort((j, due) => add("abort-timeouts", j, due));
  return out;
}

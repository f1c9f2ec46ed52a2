/**
 * The rules that place trace events, in words, per profile. Built once per
 * loop, so recording an event never builds a string for its rule.
 *
 * @module
 */

import type { Profile } from "./profiles.ts";

/** The rule texts of one profile. */
export interface Rules {
  readonly timer: string;
  readonly minDelay: string;
  readonly nesting: string;
  readonly microtask: string;
  readonly nextTick: string;
  readonly afterTicks: string;
  readonly esmTop: string;
  readonly immediate: string;
  readonly frame: string;
  readonly postTask: string;
  readonly script: string;
}

/** Builds the rule texts of `profile`. */
export function rulesFor(p: Profile): Rules {
  const n = p.name;
  const order = "by deadline, then arming order";
  const clamp = p.nestingClamp;
  return {
    timer: p.model === "phases"
      ? `${n}: the timers phase runs the timers due when it starts, ${order}`
      : `${n}: a timer task runs when due, ${order}`,
    minDelay:
      `${n}: a delay below ${p.minDelayMs} ms (or NaN, or above ${p.maxDelayMs} ms) becomes ${p.minDelayMs} ms; then ${order}`,
    nesting: clamp === null
      ? ""
      : `${n}: once the timer nesting level is above ${clamp.afterLevel}, a delay below ${clamp.minMs} ms becomes ${clamp.minMs} ms`,
    microtask:
      "microtask checkpoint after each callback: one FIFO queue, drained until empty",
    nextTick:
      `${n}: after each callback the whole nextTick queue runs before promise jobs`,
    afterTicks:
      `${n}: promise jobs run after the nextTick queue, repeated while either is non-empty`,
    esmTop:
      `${n} (esm entry): at top level promise jobs run before the nextTick queue`,
    immediate:
      `${n}: the check phase runs the immediates queued before it started; later ones wait for the next turn`,
    frame:
      `${n}: the animation-frame callbacks of a frame share one timestamp, with a checkpoint between them; one requested during a frame waits for the next`,
    postTask: `${n}: task sources in order ${
      p.taskSources.join(", ")
    }; a yield continuation runs before tasks of its priority`,
    script: `${n}: the script runs as a task; a microtask checkpoint follows`,
  };
}

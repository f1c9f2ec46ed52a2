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
  readonly continuation: string;
  readonly message: string;
  readonly abortTimeout: string;
  readonly events: string;
  readonly rejection: string;
  /** Node: an unhandled rejection raised as an uncaught exception. */
  readonly rejectionThrown: string;
  readonly script: string;
  /** A timer's rule when it ran after its deadline (time was spent). */
  late(rule: string, due: number, now: number): string;
}

function ms(t: number): string {
  return `${Math.round(t * 1000) / 1000}ms`;
}

/** Builds the rule texts of `profile`. */
export function rulesFor(p: Profile): Rules {
  const n = p.name;
  const order = "by deadline, then arming order";
  const clamp = p.nestingClamp;
  const sources = p.taskSources.map((x) =>
    typeof x === "string" ? x : `[${x.join(", ")} in queueing order]`
  ).join(", ");
  const ordered =
    "sources in one group run in the order their tasks were queued, a delayed task being queued when it falls due";
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
    postTask:
      `${n}: task sources by priority ${sources}; ${ordered}; a yield continuation runs before tasks of its priority`,
    continuation:
      `${n}: a scheduler.yield() continuation runs before the tasks of its priority, after tasks of higher priorities`,
    message: p.messageDelivery === "task-source"
      ? `${n}: each posted message is delivered by its own task of the messages source (the next one is queued after it runs); task sources by priority ${sources}; ${ordered}`
      : p.messageDelivery === "poll"
      ? `${n}: messages are delivered in the poll phase (before the check phase), port by port in the order the ports were created, a checkpoint after each`
      : `${n}: messages posted in one loop turn are delivered in the pending phase of a later turn, port by port in turns, with the microtasks after each message and the nextTick queue after the last`,
    abortTimeout:
      `${n}: AbortSignal.timeout fires from its own task source (abort-timeouts); task sources by priority ${sources}; ${ordered}`,
    events:
      `${n}: after a microtask checkpoint, the promises rejected with no handler are announced by an unhandledrejection event in a task of the events source; task sources by priority ${sources}; ${ordered}`,
    rejection: p.uncaught === "crash"
      ? `${n}: after the nextTick queue and the microtasks drain, a promise still rejected with no handler goes to the process.on("unhandledRejection") listeners`
      : `${n}: after the microtask checkpoint, a promise still rejected with no handler is announced by an unhandledrejection event on globalThis`,
    rejectionThrown:
      `${n}: a promise still rejected with no handler and no process.on("unhandledRejection") listener is raised as an uncaught exception (--unhandled-rejections=throw): the process.on("uncaughtException") listeners get it, with origin "unhandledRejection"`,
    script: `${n}: the script runs as a task; a microtask checkpoint follows`,
    late: (rule, due, now) =>
      `${rule}; due at ${ms(due)}, it ran at ${
        ms(now)
      }: the loop was busy until then (the code that ran before it spent virtual time)`,
  };
}

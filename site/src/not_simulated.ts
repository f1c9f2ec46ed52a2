/**
 * What the page cannot simulate (yet), and why, in words: the error a
 * snippet gets when it reaches such a feature, and the sentence the page
 * shows. Kept apart from the transform and the host so that the page's own
 * bundle (which shows the sentences) does not carry the parser.
 *
 * @module
 */

/** A feature the page cannot simulate (yet), found before or while running. */
export class NotSimulatedError extends Error {
  /** A short name of the feature, e.g. `"for await"` or `"MessageChannel"`. */
  readonly feature: string;
  /**
   * Creates the error.
   *
   * @param feature The feature.
   * @param message What cannot be simulated and why.
   */
  constructor(feature: string, message: string) {
    super(message);
    this.name = "NotSimulatedError";
    this.feature = feature;
  }
}

const WHY: Record<string, string> = {
  MessageChannel:
    "MessageChannel is not simulated yet: pledge's simulator has no message delivery per profile (Node's poll phase, Deno's later turn, the browser's message task source) until issue 14 lands",
  "scheduler.yield":
    "scheduler.yield() is not simulated yet: pledge's simulator has no yield continuations for the html profile until issue 14 lands",
  "AbortSignal.timeout":
    "AbortSignal.timeout() is not simulated yet: pledge's simulator has no timer source of its own for it until issue 14 lands",
  "busy loop":
    "time that passes inside a callback is not simulated yet: this snippet waits in a busy loop for the clock to move, and virtual time stands still inside a callback until pledge's simulator can spend it (issue 14)",
  "postTask and timer order":
    "the order between scheduler.postTask tasks and timers is not simulated yet: Chromium runs user-visible tasks and timers in the order they were posted, pledge's html profile runs due timers before user-visible tasks until issue 14 lands, so the order below may differ from the browser's",
  "process events":
    "process.on() is not simulated: the simulated process emits no events (unhandled rejections and exceptions are not reported yet)",
};

/** Why `feature` is not simulated, in one sentence. */
export function whyNotSimulated(feature: string): string {
  return WHY[feature] ??
    `${feature} is not simulated: the page simulates the event loop (timers, microtasks, promises, nextTick, immediates, animation frames, prioritized tasks), not the rest of the runtime`;
}

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
  "process.once()":
    "process.once() is not simulated: the simulated process takes process.on() listeners for uncaughtException and unhandledRejection only",
};

/** Why `feature` is not simulated, in one sentence. */
export function whyNotSimulated(feature: string): string {
  return WHY[feature] ??
    `${feature} is not simulated: the page simulates the event loop (timers, microtasks, promises, nextTick, immediates, animation frames, prioritized tasks, messages, uncaught errors), not the rest of the runtime`;
}

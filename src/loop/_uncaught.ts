/**
 * The event an `EventLoop` gives its `onError` and `onUnhandledRejection`
 * listeners, and the words the trace records for an uncaught error.
 *
 * @module
 */

import type { UncaughtErrorEvent } from "./event_loop.ts";
import type { Profile } from "./profiles.ts";

/** An uncaught error or unhandled rejection, as listeners see it. */
export class UncaughtEvent implements UncaughtErrorEvent {
  #prevented = false;
  constructor(
    readonly type: "error" | "unhandledrejection",
    readonly error: unknown,
    readonly promise: PromiseLike<unknown> | undefined,
    readonly eventId: number | undefined,
  ) {}

  get defaultPrevented(): boolean {
    return this.#prevented;
  }

  preventDefault(): void {
    this.#prevented = true;
  }
}

/** `Error: message`, as a console prints an uncaught value. */
export function uncaughtText(value: unknown): string {
  if (value instanceof Error) return `${value.name}: ${value.message}`;
  if (typeof value === "string") return value;
  try {
    return String(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
}

/** The trace label and rule of an uncaught error that was reported or crashed. */
export function describeUncaught(
  profile: Profile,
  event: UncaughtEvent,
  crash: boolean,
): [string, string] {
  const n = profile.name;
  const rejection = event.type === "unhandledrejection";
  const label = `Uncaught ${rejection ? "(in promise) " : ""}${
    uncaughtText(event.error)
  }`;
  const what = rejection
    ? "a promise rejected with no handler by the end of the microtask checkpoint"
    : "a callback threw";
  if (!crash) {
    return [
      label,
      `${n}: ${what}: it is reported (no listener called preventDefault) and the loop goes on`,
    ];
  }
  const listener = profile.uncaught === "crash"
    ? rejection
      ? `no process.on("unhandledRejection") listener, nor an uncaughtException one to raise it to`
      : `no process.on("uncaughtException") listener`
    : `no "${
      rejection ? "unhandledrejection" : "error"
    }" listener called preventDefault()`;
  return [
    label,
    `${n}: ${what} and ${listener}: the process crashes, nothing else runs`,
  ];
}

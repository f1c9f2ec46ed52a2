/**
 * Runs a snippet on the simulated event loop of one profile and returns
 * everything the page shows: the trace events, the output lines (each tied
 * to the event that printed it), the callbacks that never ran, and what
 * stopped the run, if anything. Runs anywhere (a Web Worker on the page,
 * Deno in the tests): no DOM.
 *
 * Uncaught errors follow the library's profiles: in the html profile a
 * throwing callback or an unhandled rejection is reported (listed with the
 * output) and the loop goes on; in node and deno the first one crashes the
 * simulated process (unless the snippet listens for it), which stops the
 * run there.
 *
 * @module
 */

import {
  isLoopLimitError,
  type ProfileId,
  profileInfo,
  type QueuedCallback,
  Simulation,
  type TraceEvent,
} from "./adapter.ts";
import {
  type ArmRecord,
  Host,
  IterationLimitError,
  type OutputLine,
  ProcessExit,
} from "./host.ts";
import { NotSimulatedError } from "./not_simulated.ts";
import { HELPER, HOST, SnippetSyntaxError, transform } from "./transform.ts";

/** Limits of a run. */
export interface RunOptions {
  /** The profile. */
  readonly profile: ProfileId;
  /**
   * The most callbacks one drive of the loop runs before the loop's
   * `LoopLimitError` stops it.
   *
   * @default {200_000}
   */
  readonly loopLimit?: number;
  /**
   * The most iterations of loops in one callback before the page stops it.
   *
   * @default {1_000_000}
   */
  readonly iterationLimit?: number;
  /**
   * The most uncaught errors (and unhandled rejections) the html profile
   * reports before it stops.
   *
   * @default {100}
   */
  readonly errorLimit?: number;
}

/** Why a run reported an error or stopped. */
export type RunErrorKind =
  | "syntax"
  | "not-simulated"
  | "uncaught"
  | "loop-limit"
  | "iteration-limit"
  | "exit";

/** An error the run reported. */
export interface RunError {
  /** What kind. */
  readonly kind: RunErrorKind;
  /** The error's name, e.g. `"ReferenceError"`. */
  readonly name: string;
  /** Its message. */
  readonly message: string;
  /** The event during which it happened (0: before the script). */
  readonly event: number;
  /** For `"not-simulated"`: the feature. */
  readonly feature?: string;
  /** For `"syntax"`: the line. */
  readonly line?: number;
}

/** The result of a run. */
export interface RunResult {
  /** The profile. */
  readonly profile: ProfileId;
  /** The trace events, in run order. */
  readonly events: readonly TraceEvent[];
  /** What the snippet printed. */
  readonly output: readonly OutputLine[];
  /** Uncaught errors reported (the html profile goes on after them). */
  readonly errors: readonly RunError[];
  /** What stopped the run before the loop was idle, if anything. */
  readonly stopped: RunError | undefined;
  /**
   * Features the snippet reached that are not simulated (yet): one that
   * stopped the run (`stopped`), or one that the run went past but whose
   * order may differ from the real runtime's.
   */
  readonly notSimulated: readonly string[];
  /** Callbacks scheduled through host APIs (to show queues). */
  readonly arms: readonly ArmRecord[];
  /**
   * What the loop still held when the run ended (the first
   * {@linkcode QUEUED_AT_END_LIMIT} callbacks), from `EventLoop.snapshot()`.
   */
  readonly queuedAtEnd: readonly QueuedCallback[];
  /** The virtual time at the end, in ms. */
  readonly endMs: number;
  /** Callbacks still queued at the end. */
  readonly pendingAtEnd: number;
  /** Real time spent, in ms. */
  readonly timing: { readonly transformMs: number; readonly runMs: number };
}

/** The most callbacks {@linkcode RunResult.queuedAtEnd} lists. */
export const QUEUED_AT_END_LIMIT = 1000;

// The engine words an error after the source it ran: `__host.Promise.x is
// not a function` where the snippet said `Promise.x`. The page shows the
// snippet's words.
const HOSTED = new RegExp(`(?<![\\w$])${HOST}\\.`, "g");

/** `text` with the transform's `__host.` prefixes taken out. */
function unhosted(text: string): string {
  return text.includes(HOST) ? text.replace(HOSTED, "") : text;
}

function errorOf(e: unknown, event: number): RunError {
  const error = rawErrorOf(e, event);
  const message = unhosted(error.message);
  return message === error.message ? error : { ...error, message };
}

function rawErrorOf(e: unknown, event: number): RunError {
  if (e instanceof NotSimulatedError) {
    return {
      kind: "not-simulated",
      name: e.name,
      message: e.message,
      event,
      feature: e.feature,
    };
  }
  if (e instanceof SnippetSyntaxError) {
    return {
      kind: "syntax",
      name: "SyntaxError",
      message: `${e.message.replace(/ \(\d+:\d+\)$/, "")} (line ${e.line})`,
      event,
      line: e.line,
    };
  }
  if (e instanceof IterationLimitError) {
    return { kind: "iteration-limit", name: e.name, message: e.message, event };
  }
  if (e instanceof ProcessExit) {
    return { kind: "exit", name: e.name, message: e.message, event };
  }
  if (isLoopLimitError(e)) {
    return { kind: "loop-limit", name: e.name, message: e.message, event };
  }
  if (e instanceof Error) {
    return { kind: "uncaught", name: e.name, message: e.message, event };
  }
  return {
    kind: "uncaught",
    name: "Uncaught",
    message: String(e),
    event,
  };
}

/**
 * Runs `code` under `options.profile`.
 *
 * @param code The snippet, plain JavaScript.
 * @param options The profile and limits.
 * @returns What the page shows.
 */
export function runSnippet(code: string, options: RunOptions): RunResult {
  const info = profileInfo(options.profile);
  const loopLimit = options.loopLimit ?? 200_000;
  const errorLimit = options.errorLimit ?? 100;
  const sim = new Simulation(info.id, loopLimit);
  const host = new Host(sim, info, options.iterationLimit ?? 1_000_000);
  const errors: RunError[] = [];
  let stopped: RunError | undefined;
  let queuedAtEnd: readonly QueuedCallback[] = [];
  const t0 = performance.now();
  let t1 = t0;
  const stop = (error: RunError) => {
    stopped ??= error;
    queuedAtEnd = sim.snapshot().slice(0, QUEUED_AT_END_LIMIT);
    sim.stop();
  };
  // html: what the browser reports (a throwing callback, an unhandled
  // rejection) is listed and the run goes on, up to `errorLimit`.
  if (info.id === "html") {
    host.collectReports((e, event, rejection) => {
      const error = errorOf(e, event);
      errors.push(
        rejection ? { ...error, name: `(in promise) ${error.name}` } : error,
      );
      if (errors.length >= errorLimit) stop(error);
    });
  }
  // What a drive throws: a crash (node, deno), a stop of the page, the
  // loop's limit.
  const fail = (e: unknown) => {
    const error = errorOf(e, sim.currentEvent);
    if (error.kind === "uncaught") errors.push(error);
    stop(error);
  };
  try {
    const { code: body } = transform(code, { module: info.module });
    t1 = performance.now();
    const main = new Function(HOST, HELPER, body) as (
      host: unknown,
      helper: unknown,
    ) => unknown;
    try {
      sim.runScript(() =>
        void main.call(host.thisValue, host.global, host.helper)
      );
      if (stopped === undefined) sim.runAll();
    } catch (e) {
      fail(e);
    }
  } catch (e) {
    t1 = performance.now();
    fail(e);
  }
  const runMs = performance.now() - t1;
  // A halt caught by the snippet (or reported in html) still stopped the run.
  if (host.halt !== undefined && stopped === undefined) {
    stopped = errorOf(host.halt.error, host.halt.event);
  }
  if (stopped === undefined) {
    queuedAtEnd = sim.snapshot().slice(0, QUEUED_AT_END_LIMIT);
  }
  return {
    profile: info.id,
    events: sim.events.map((e) => {
      const label = unhosted(e.label);
      return label === e.label ? e : { ...e, label };
    }),
    output: host.output.map((line) => {
      const text = unhosted(line.text);
      return text === line.text ? line : { ...line, text };
    }),
    errors,
    stopped,
    notSimulated: host.notSimulated,
    arms: host.arms,
    queuedAtEnd,
    endMs: sim.now,
    pendingAtEnd: sim.pending,
    timing: { transformMs: t1 - t0, runMs },
  };
}

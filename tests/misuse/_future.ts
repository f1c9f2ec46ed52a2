/**
 * The bad-argument table of `@pledge/core/future`: `Future`, `Completer`,
 * the clock and the executors of core.
 *
 * @module
 */

import {
  Completer,
  Future,
  inlineExecutor,
  microtaskExecutor,
  systemClock,
} from "../../mod.ts";
import {
  bad,
  clocks,
  functions,
  numbers,
  options,
  signals,
  type Table,
} from "./_misuse.ts";

const pending = () => new Completer<number>().future;

/** The table of the future area. */
export const FUTURE: Table = {
  "systemClock.now": { none: "takes no arguments" },
  "systemClock.dateNow": { none: "takes no arguments" },
  "systemClock.setTimeout": {
    throws: functions(
      "systemClock.setTimeout($, 10)",
      (_, fn) => systemClock.setTimeout(fn, 10),
      "callback",
    ),
  },
  "systemClock.clearTimeout": {
    none: "any handle, as the host's clearTimeout (an unknown one is ignored)",
  },
  "inlineExecutor.execute": {
    throws: functions(
      "inlineExecutor.execute($)",
      (_, fn) => inlineExecutor.execute(fn),
      "task",
    ),
  },
  "microtaskExecutor.execute": {
    throws: functions(
      "microtaskExecutor.execute($)",
      (_, fn) => microtaskExecutor.execute(fn),
      "task",
    ),
  },
  "new InvalidStateError": {
    none: "an error class: message and options as Error's",
  },

  "new Future": {
    throws: functions("new Future($)", (_, init) => new Future(init), "init"),
  },
  "Future#then": {
    none: "a handler that is not a function is ignored (Promises/A+ 2.2.1)",
  },
  "Future#catch": { none: "as then" },
  "Future#finally": { none: "as Promise.prototype.finally" },
  "Future#toPromise": { none: "takes no arguments" },
  "Future#via": {
    rejects: [
      ...[undefined, null, {}, "microtask"].map((executor) =>
        bad(
          "future.via($)",
          (_, e) => pending().via(e),
          TypeError,
          "executor.execute",
          executor,
          { constraint: "a function", shown: "undefined" },
        )
      ),
    ],
  },
  "Future#wait": {
    rejects: [
      ...options("future.wait($)", (_, o) => pending().wait(o)),
      ...numbers(
        "future.wait({ timeoutMs: $ })",
        (ctx, ms) =>
          pending().wait({
            timeoutMs: ms,
            signal: ctx.signal,
            clock: ctx.clock,
          }),
        "timeoutMs",
        "duration",
      ),
      ...signals(
        "future.wait({ signal: $ })",
        (ctx, signal) =>
          pending().wait({ timeoutMs: 10, signal, clock: ctx.clock }),
      ),
      ...clocks(
        "future.wait({ clock: $ })",
        (ctx, clock) =>
          pending().wait({ timeoutMs: 10, signal: ctx.signal, clock }),
      ),
    ],
  },
  "Future.resolve": { none: "any value, as Promise.resolve" },
  "Future.reject": { none: "any reason, as Promise.reject" },
  "Future.from": { none: "any value or thenable, as Promise.resolve" },
  "Future.try": {
    rejects: functions("Future.try($)", (_, fn) => Future.try(fn), "fn"),
  },

  "new Completer": { none: "takes no arguments" },
  "Completer#resolve": { none: "any value or thenable" },
  "Completer#reject": { none: "any reason" },
  "Completer#tryResolve": { none: "any value or thenable" },
  "Completer#tryReject": { none: "any reason" },
};

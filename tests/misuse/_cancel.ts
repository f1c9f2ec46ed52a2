/**
 * The bad-argument table of `@pledge/core/cancel`.
 *
 * @module
 */

import {
  abortable,
  anySignal,
  CancellationToken,
  CancellationTokenSource,
  delay,
  isAbortError,
  onAbort,
  timeoutSignal,
} from "../../mod.ts";
import {
  bad,
  clocks,
  functions,
  numbers,
  options,
  SIGNAL,
  signals,
  type Table,
  TOKEN,
} from "./_misuse.ts";

const PARENT = "a CancellationToken or an AbortSignal";

/** The table of the cancel area. */
export const CANCEL: Table = {
  "new CancellationToken": {
    none: "takes no arguments (a token never cancelled)",
  },
  "CancellationToken.fromSignal": {
    throws: signals(
      "CancellationToken.fromSignal($)",
      (_, s) => CancellationToken.fromSignal(s),
    ).concat(
      bad(
        "CancellationToken.fromSignal($)",
        (_, s) => CancellationToken.fromSignal(s),
        TypeError,
        "signal",
        undefined,
        { constraint: "an AbortSignal" },
      ),
    ),
  },
  "CancellationToken#register": {
    throws: functions(
      "token.register($)",
      (ctx, cb) => ctx.token.register(cb),
      "callback",
    ),
  },
  "CancellationToken#throwIfCancellationRequested": {
    none: "takes no arguments",
  },

  "new CancellationTokenSource": {
    throws: [
      ...options(
        "new CancellationTokenSource($)",
        (_, o) => new CancellationTokenSource(o),
      ),
      ...clocks(
        "new CancellationTokenSource({ clock: $ })",
        (_, clock) => new CancellationTokenSource({ clock }),
      ),
      ...[5, null, {}].map((parents) =>
        bad(
          "new CancellationTokenSource({ parents: $ })",
          (_, p) => new CancellationTokenSource({ parents: p }),
          TypeError,
          "parents",
          parents,
          { constraint: "an iterable" },
        )
      ),
      bad(
        "new CancellationTokenSource({ parents: [$] })",
        (_, p) => new CancellationTokenSource({ parents: [p] }),
        TypeError,
        "parents[0]",
        {},
        { constraint: PARENT },
      ),
      bad(
        "new CancellationTokenSource({ parents: $ })",
        (_, p) => new CancellationTokenSource({ parents: p }),
        TypeError,
        "parents",
        SIGNAL,
        { constraint: "an iterable" },
      ),
    ],
  },
  "CancellationTokenSource.linked": {
    throws: [null, 5, {}].map((parent) =>
      bad(
        "CancellationTokenSource.linked($)",
        (_, p) => CancellationTokenSource.linked(p),
        TypeError,
        "tokensOrSignals[0]",
        parent,
        { constraint: PARENT },
      )
    ),
  },
  "CancellationTokenSource#cancel": { none: "any reason, as abort()" },
  "CancellationTokenSource#cancelAfter": {
    throws: numbers(
      "source.cancelAfter($)",
      (ctx, ms) =>
        new CancellationTokenSource({ clock: ctx.clock }).cancelAfter(ms),
      "ms",
      "duration",
    ),
  },

  "abortable": {
    rejects: signals(
      "abortable(promise, $)",
      (_, s) => abortable(Promise.resolve(1), s),
    ),
  },
  "anySignal": {
    throws: [
      ...[undefined, 5, SIGNAL].map((value) =>
        bad(
          "anySignal($)",
          (_, s) => anySignal(s),
          TypeError,
          "signals",
          value,
          { constraint: "an iterable" },
        )
      ),
      bad(
        "anySignal([signal, $])",
        (ctx, s) => anySignal([ctx.signal, s]),
        TypeError,
        "signals[1]",
        "abort",
        { constraint: PARENT },
      ),
    ],
  },
  "isAbortError": {
    throws: [5, "abort", {}].map((signal) =>
      bad(
        "isAbortError(error, $)",
        (_, s) => isAbortError(new Error("x"), s),
        TypeError,
        "signal",
        signal,
        { constraint: "an AbortSignal" },
      )
    ),
  },
  "onAbort": {
    throws: [
      ...[undefined, {}, "abort", TOKEN].map((signal) =>
        bad(
          "onAbort($, callback)",
          (_, s) => onAbort(s, () => {}),
          TypeError,
          "signal",
          signal,
          { constraint: "an AbortSignal" },
        )
      ),
      ...functions(
        "onAbort(signal, $)",
        (ctx, cb) => onAbort(ctx.signal, cb),
        "callback",
      ),
    ],
  },
  "timeoutSignal": {
    throws: [
      ...numbers(
        "timeoutSignal($)",
        (ctx, ms) => timeoutSignal(ms, { clock: ctx.clock }),
        "ms",
        "duration",
      ),
      ...options("timeoutSignal(10, $)", (_, o) => timeoutSignal(10, o)),
      ...clocks(
        "timeoutSignal(10, { clock: $ })",
        (_, clock) => timeoutSignal(10, { clock }),
      ),
    ],
  },
  "delay": {
    rejects: [
      ...numbers(
        "delay($)",
        (ctx, ms) => delay(ms, { signal: ctx.signal, clock: ctx.clock }),
        "ms",
        "duration",
      ),
      ...options("delay(10, $)", (_, o) => delay(10, o)),
      ...signals(
        "delay(10, { signal: $ })",
        (ctx, signal) => delay(10, { signal, clock: ctx.clock }),
      ),
      ...clocks(
        "delay(10, { clock: $ })",
        (ctx, clock) => delay(10, { signal: ctx.signal, clock }),
      ),
    ],
  },
};

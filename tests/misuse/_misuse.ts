/**
 * The bad-argument table's vocabulary: a `Case` is one bad call of one
 * public function, constructor or method, with the error it must give; an
 * `Entry` says whether the API throws (constructors and synchronous
 * functions) or rejects (anything that returns a promise or a `Future`);
 * the row makers below build the usual misuses (a wrong type, the house's
 * bad numbers, an `AbortSignal` or a `CancellationToken` where the options
 * belong, a clock that is not a `Clock`, a missing function).
 *
 * Every call in the table passes `ctx.clock` and `ctx.signal` wherever the
 * API takes them: the test then proves that nothing was armed on that clock
 * and no listener was added to that signal before the error.
 *
 * @module
 */

import type { CancellationToken, Clock } from "../../mod.ts";
import { describeValue } from "../../src/core/_validate.ts";
import { BAD_NUMBERS, type ErrorClass, show } from "../_support.ts";

/** What every bad call may use; the test checks it is left untouched. */
export interface Ctx {
  /** A counting clock: no timer may be armed on it. */
  clock: Clock;
  /** A counted signal: no `abort` listener may be added to it. */
  signal: AbortSignal;
  /** A live token (for the rows that misplace it). */
  token: CancellationToken;
}

/** One bad call and the error it must give. */
export interface Case {
  /** The call as the test names it. */
  call: string;
  /** Makes the call. */
  run(ctx: Ctx): unknown;
  /** The class of the error. */
  error: ErrorClass;
  /** The option the message names (between quotes). */
  option: string;
  /** The value as the message shows it. */
  shown: string;
  /** The constraint the message states, when the row knows it. */
  constraint?: string;
  /** What follows the value (a hint such as ` (pass { signal })`). */
  suffix?: string;
}

/**
 * One public API: constructors and synchronous functions throw, functions
 * that return a promise or a `Future` reject; `none` says why no argument
 * of it can be wrong.
 */
export type Entry =
  | { throws: Case[] }
  | { rejects: Case[] }
  | { none: string };

/** A section of the table: `name`, `new Name`, `Name#method`, `Name.static`. */
export type Table = Record<string, Entry>;

/** Placeholders for the values of the context (made per test). */
export const SIGNAL: unique symbol = Symbol("ctx.signal");
/** The context's token. */
export const TOKEN: unique symbol = Symbol("ctx.token");
/** A clock with `now` and `setTimeout` (on `ctx.clock`) but no `clearTimeout`. */
export const PARTIAL_CLOCK: unique symbol = Symbol("partial clock");

/** The value a row passes, with the placeholders made real. */
export function real(ctx: Ctx, value: unknown): unknown {
  if (value === SIGNAL) return ctx.signal;
  if (value === TOKEN) return ctx.token;
  if (value === PARTIAL_CLOCK) {
    return {
      now: () => ctx.clock.now(),
      setTimeout: (cb: () => void, ms: number) => ctx.clock.setTimeout(cb, ms),
    };
  }
  return value;
}

function label(value: unknown): string {
  if (value === SIGNAL) return "signal";
  if (value === TOKEN) return "token";
  if (value === PARTIAL_CLOCK) return "{ now, setTimeout }";
  if (value === null) return "null";
  if (typeof value === "function") return "fn";
  if (Array.isArray(value)) return "[]";
  if (typeof value === "object") return "{}";
  return show(value);
}

function shown(value: unknown): string {
  if (value === SIGNAL) return "an AbortSignal";
  if (value === TOKEN) return "an instance of CancellationToken";
  return describeValue(value);
}

/** A call made of one value: `(ctx, value) => api(..., value, ...)`. */
export type Call = (ctx: Ctx, value: never) => unknown;

/**
 * Names a call: `template` holds `$` where the value goes
 * (`"delay($)"` -> `"delay(-1)"`).
 */
function named(template: string, value: unknown): string {
  return template.replace("$", label(value));
}

/** One row: `call` given `value` fails with `error` naming `option`. */
export function bad(
  template: string,
  call: Call,
  error: ErrorClass,
  option: string,
  value: unknown,
  extra: { constraint?: string; suffix?: string; shown?: string } = {},
): Case {
  return {
    call: named(template, value),
    run: (ctx) =>
      (call as (ctx: Ctx, value: unknown) => unknown)(
        ctx,
        real(ctx, value),
      ),
    error,
    option,
    shown: extra.shown ?? shown(value),
    ...(extra.constraint === undefined ? {} : { constraint: extra.constraint }),
    ...(extra.suffix === undefined ? {} : { suffix: extra.suffix }),
  };
}

/**
 * The options slot misused: an `AbortSignal` or a `CancellationToken` in
 * its place (the message names the fix), `null`, a number; and, when the
 * options are required, nothing.
 */
export function options(
  template: string,
  call: Call,
  { required = false, option = "options" } = {},
): Case[] {
  const c = "an options object";
  const rows = [
    bad(template, call, TypeError, option, SIGNAL, {
      constraint: c,
      suffix: " (pass { signal })",
    }),
    bad(template, call, TypeError, option, TOKEN, {
      constraint: c,
      suffix: " (pass { signal: token.signal })",
    }),
    bad(template, call, TypeError, option, null, { constraint: c }),
    bad(template, call, TypeError, option, 5, { constraint: c }),
  ];
  if (required) {
    rows.push(bad(template, call, TypeError, option, undefined));
  }
  return rows;
}

/** A `clock` that is not a `Clock`: `null`, a number, `{}`, half a clock. */
export function clocks(template: string, call: Call, option = "clock"): Case[] {
  return [
    bad(template, call, TypeError, option, null, { constraint: "a Clock" }),
    bad(template, call, TypeError, option, 5, { constraint: "a Clock" }),
    bad(template, call, TypeError, `${option}.now`, {}, {
      constraint: "a function",
      shown: "undefined",
    }),
    bad(template, call, TypeError, `${option}.clearTimeout`, PARTIAL_CLOCK, {
      constraint: "a function",
      shown: "undefined",
    }),
  ];
}

/** A `signal` that is not an `AbortSignal` (a token among them). */
export function signals(
  template: string,
  call: Call,
  option = "signal",
): Case[] {
  const c = "an AbortSignal";
  return [null, "abort", {}, TOKEN].map((value) =>
    bad(template, call, TypeError, option, value, { constraint: c })
  );
}

/** A function slot given something else. */
export function functions(
  template: string,
  call: Call,
  option: string,
  values: unknown[] = [undefined, null, "fn"],
): Case[] {
  return values.map((value) =>
    bad(template, call, TypeError, option, value, { constraint: "a function" })
  );
}

/** A boolean slot given something else. */
export function booleans(template: string, call: Call, option: string): Case[] {
  return [1, "yes", null].map((value) =>
    bad(template, call, TypeError, option, value, { constraint: "a boolean" })
  );
}

/** The kinds of number the house checks. */
export type NumberKind =
  | "duration" // finite, >= 0
  | "duration|Infinity" // >= 0, Infinity for "never"
  | "positive" // finite, > 0
  | "count" // integer >= 1
  | "count|Infinity" // integer >= 1 or Infinity
  | "count0" // integer >= 0
  | "count0|Infinity" // integer >= 0 or Infinity
  | "finite"; // any finite number

const CONSTRAINTS: Record<NumberKind, string> = {
  "duration": "a finite number >= 0",
  "duration|Infinity": "a number >= 0 or Infinity",
  "positive": "a finite number > 0",
  "count": "an integer >= 1",
  "count|Infinity": "an integer >= 1 or Infinity",
  "count0": "an integer >= 0",
  "count0|Infinity": "an integer >= 0 or Infinity",
  "finite": "finite",
};

function acceptable(kind: NumberKind, n: number): boolean {
  switch (kind) {
    case "duration":
      return Number.isFinite(n) && n >= 0;
    case "duration|Infinity":
      return n >= 0;
    case "positive":
      return Number.isFinite(n) && n > 0;
    case "count":
      return Number.isInteger(n) && n >= 1;
    case "count|Infinity":
      return n === Infinity || (Number.isInteger(n) && n >= 1);
    case "count0":
      return Number.isInteger(n) && n >= 0;
    case "count0|Infinity":
      return n === Infinity || (Number.isInteger(n) && n >= 0);
    case "finite":
      return Number.isFinite(n);
  }
}

/**
 * A number slot over the house's bad numbers (`BAD_NUMBERS`: the ones the
 * kind refuses give a `RangeError`), a numeric string and `null` (a
 * `TypeError`: `null` is not "unset", `undefined` is).
 * `constraint` overrides the house wording where an API states its own
 * bound (`"an integer >= 0"`).
 */
export function numbers(
  template: string,
  call: Call,
  option: string,
  kind: NumberKind,
  constraint: string = CONSTRAINTS[kind],
): Case[] {
  const rows = BAD_NUMBERS.filter((n) => !acceptable(kind, n)).map((n) =>
    bad(template, call, RangeError, option, n, { constraint })
  );
  for (const value of ["5", null]) {
    rows.push(
      bad(template, call, TypeError, option, value, { constraint: "a number" }),
    );
  }
  return rows;
}

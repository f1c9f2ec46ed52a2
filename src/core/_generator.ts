/**
 * Generators as tasks, for the schedulers whose tasks may be generator
 * functions that yield cooperatively: detecting one, and closing one.
 *
 * @module
 */

import { reportError } from "./_report.ts";

// The prototype every generator object's prototype inherits from; looked up
// on first use, so importing this module does no work.
let generatorPrototype: object | undefined;

/**
 * Whether `x` is a generator object (what calling a generator function
 * returns). The fast path checks the prototype chain (the function's
 * `prototype`, then the shared generator prototype); anything else is asked
 * for its tag.
 */
export function isGenerator(
  x: unknown,
): x is Generator<unknown, unknown, unknown> {
  if (typeof x !== "object" || x === null) return false;
  generatorPrototype ??= Object.getPrototypeOf(function* () {}).prototype;
  const proto = Object.getPrototypeOf(x);
  return (proto !== null &&
    Object.getPrototypeOf(proto) === generatorPrototype) ||
    Object.prototype.toString.call(x) === "[object Generator]";
}

/**
 * Closes a generator so that its `finally` blocks run: `return()` until it is
 * done (a `finally` block may itself yield; bounded at 1000 rounds). What a
 * `finally` block throws is reported, never thrown: the caller is cancelling.
 */
export function closeGenerator(
  gen: Generator<unknown, unknown, unknown>,
): void {
  try {
    for (let i = 0; i < 1000 && !gen.return(undefined).done; i++);
  } catch (error) {
    reportError(error);
  }
}

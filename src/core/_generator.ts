/**
 * Generator detection, for the schedulers whose tasks may be generator
 * functions that yield cooperatively.
 *
 * @module
 */

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

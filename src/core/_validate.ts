/**
 * Argument validation with the one message template of the house style:
 * `Cannot <action> as '<option>' must be <constraint>: current value is <value>`.
 *
 * Every validator throws before any timer or listener exists, so callers run
 * them first.
 *
 * @module
 */

/** Renders a value for an error message: strings quoted, objects named. */
export function describeValue(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "bigint") return `${value}n`;
  if (typeof value === "symbol") return value.toString();
  if (typeof value === "function") {
    return value.name ? `function ${value.name}` : "a function";
  }
  if (value === null) return "null";
  if (typeof value === "object") {
    if (Array.isArray(value)) return `an array of length ${value.length}`;
    if (value instanceof AbortSignal) return "an AbortSignal";
    const name = (value as { constructor?: { name?: string } }).constructor
      ?.name;
    return name && name !== "Object" ? `an instance of ${name}` : "an object";
  }
  return String(value);
}

/** Builds the message of the house template. */
export function invalidMessage(
  action: string,
  option: string,
  constraint: string,
  value: unknown,
): string {
  return `Cannot ${action} as '${option}' must be ${constraint}: current value is ${
    describeValue(value)
  }`;
}

/** Throws a `TypeError` with the house template. */
export function typeError(
  action: string,
  option: string,
  constraint: string,
  value: unknown,
): never {
  throw new TypeError(invalidMessage(action, option, constraint, value));
}

/** Throws a `RangeError` with the house template. */
export function rangeError(
  action: string,
  option: string,
  constraint: string,
  value: unknown,
): never {
  throw new RangeError(invalidMessage(action, option, constraint, value));
}

/** Asserts a function. */
export function assertFunction(
  action: string,
  option: string,
  value: unknown,
): void {
  if (typeof value !== "function") {
    typeError(action, option, "a function", value);
  }
}

/** Asserts a number (of any value, `NaN` included); otherwise a TypeError. */
export function assertNumber(
  action: string,
  option: string,
  value: unknown,
): asserts value is number {
  if (typeof value !== "number") typeError(action, option, "a number", value);
}

/** Asserts a finite number `>= 0`: a duration in milliseconds. */
export function assertDuration(
  action: string,
  option: string,
  value: unknown,
): asserts value is number {
  assertNumber(action, option, value);
  if (!(value >= 0) || value === Infinity) {
    rangeError(action, option, "a finite number >= 0", value);
  }
}

/** Asserts a finite number `> 0`: a period or interval in milliseconds. */
export function assertPositiveDuration(
  action: string,
  option: string,
  value: unknown,
): asserts value is number {
  assertNumber(action, option, value);
  if (!(value > 0) || value === Infinity) {
    rangeError(action, option, "a finite number > 0", value);
  }
}

/** Asserts an integer `>= min` (default 1). */
export function assertInteger(
  action: string,
  option: string,
  value: unknown,
  min = 1,
): asserts value is number {
  assertNumber(action, option, value);
  if (!Number.isInteger(value) || value < min) {
    rangeError(action, option, `an integer >= ${min}`, value);
  }
}

/** Asserts an integer `>= min` (default 1) or `Infinity` (unbounded). */
export function assertIntegerOrInfinity(
  action: string,
  option: string,
  value: unknown,
  min = 1,
): asserts value is number {
  assertNumber(action, option, value);
  if (value !== Infinity && (!Number.isInteger(value) || value < min)) {
    rangeError(action, option, `an integer >= ${min} or Infinity`, value);
  }
}

/** Asserts a finite number (any sign). */
export function assertFinite(
  action: string,
  option: string,
  value: unknown,
): asserts value is number {
  assertNumber(action, option, value);
  if (!Number.isFinite(value)) rangeError(action, option, "finite", value);
}

/** Asserts `undefined` or an `AbortSignal`. */
export function assertSignal(
  action: string,
  value: unknown,
  option = "signal",
): asserts value is AbortSignal | undefined {
  if (value !== undefined && !(value instanceof AbortSignal)) {
    typeError(action, option, "an AbortSignal", value);
  }
}

/**
 * Asserts an object (not null) or undefined: an options bag. The common slip
 * of passing an `AbortSignal` (or a `CancellationToken`) where the options
 * belong gets a message that names the fix.
 */
export function assertOptions(
  action: string,
  value: unknown,
  option = "options",
): void {
  if (value === undefined) return;
  if (value === null || typeof value !== "object") {
    typeError(action, option, "an options object", value);
  }
  if (value instanceof AbortSignal) {
    throw new TypeError(
      `${
        invalidMessage(action, option, "an options object", value)
      } (pass { signal })`,
    );
  }
  if (isTokenLike(value)) {
    throw new TypeError(
      `${
        invalidMessage(action, option, "an options object", value)
      } (pass { signal: token.signal })`,
    );
  }
}

/** A `CancellationToken` (recognised by shape: core cannot import it). */
function isTokenLike(value: object): boolean {
  const token = value as {
    isCancellationRequested?: unknown;
    register?: unknown;
  };
  return typeof token.isCancellationRequested === "boolean" &&
    typeof token.register === "function";
}

const CLOCK_METHODS = ["now", "setTimeout", "clearTimeout"] as const;

/**
 * Asserts `undefined` or a `Clock`: an object whose `now`, `setTimeout` and
 * `clearTimeout` are functions (and `dateNow`, when present). Every API that
 * takes a `clock` runs this before it arms anything.
 */
export function assertClock(
  action: string,
  value: unknown,
  option = "clock",
): void {
  if (value === undefined) return;
  if (value === null || typeof value !== "object") {
    typeError(action, option, "a Clock", value);
  }
  const clock = value as Record<string, unknown>;
  for (const method of CLOCK_METHODS) {
    if (typeof clock[method] !== "function") {
      typeError(action, `${option}.${method}`, "a function", clock[method]);
    }
  }
  if (clock.dateNow !== undefined && typeof clock.dateNow !== "function") {
    typeError(action, `${option}.dateNow`, "a function", clock.dateNow);
  }
}

/**
 * An option's value, or `fallback` when it is `undefined`. `null` is a
 * value (not "unset"), so the check that follows refuses it: unlike `??`,
 * this never turns `{ clock: null }` into the default.
 */
export function orDefault<T>(value: T | undefined, fallback: T): T {
  return value === undefined ? fallback : value;
}

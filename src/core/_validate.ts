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
  const type = typeof value;
  if (type === "string") return JSON.stringify(value);
  if (type === "bigint") return `${value}n`;
  if (type === "function") {
    const name = (value as () => void).name;
    return name ? `function ${name}` : "a function";
  }
  // `null` and the primitives left (a symbol included: a template literal
  // would throw on it).
  if (type !== "object" || value === null) return String(value);
  if (Array.isArray(value)) return `an array of length ${value.length}`;
  if (value instanceof AbortSignal) return "an AbortSignal";
  const name = (value as { constructor?: { name?: string } }).constructor
    ?.name;
  return name && name !== "Object" ? `an instance of ${name}` : "an object";
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
): asserts value is AbortSignal | undefined {
  if (value !== undefined && !(value instanceof AbortSignal)) {
    typeError(action, "signal", "an AbortSignal", value);
  }
}

/**
 * Asserts an object (not null) or undefined: an options bag. The common slip
 * of passing an `AbortSignal` (or a `CancellationToken`, recognised by shape:
 * core cannot import it) where the options belong gets a message that names
 * the fix.
 */
export function assertOptions(
  action: string,
  value: unknown,
): void {
  if (value === undefined) return;
  const object = value !== null && typeof value === "object";
  const signal = value instanceof AbortSignal;
  const token = object &&
    typeof (value as { isCancellationRequested?: unknown })
        .isCancellationRequested === "boolean" &&
    typeof (value as { register?: unknown }).register === "function";
  if (!object || signal || token) {
    throw new TypeError(
      invalidMessage(action, "options", "an options object", value) +
        (signal || token
          ? ` (pass { signal${token ? ": token.signal" : ""} })`
          : ""),
    );
  }
}

// `dateNow` is optional: checked only when present.
const CLOCK_METHODS = ["now", "setTimeout", "clearTimeout", "dateNow"] as const;

/**
 * Asserts `undefined` or a `Clock`: an object whose `now`, `setTimeout` and
 * `clearTimeout` are functions (and `dateNow`, when present). Every API that
 * takes a `clock` runs this before it arms anything.
 */
export function assertClock(
  action: string,
  value: unknown,
): void {
  if (value === undefined) return;
  if (typeof value !== "object" || value === null) {
    typeError(action, "clock", "a Clock", value);
  }
  for (const method of CLOCK_METHODS) {
    const fn = (value as Record<string, unknown>)[method];
    if (
      typeof fn !== "function" && (fn !== undefined || method !== "dateNow")
    ) {
      typeError(action, `clock.${method}`, "a function", fn);
    }
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

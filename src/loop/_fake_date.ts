/**
 * The `Date` that `VirtualClock.install()` puts on `globalThis`: `Date.now()`,
 * `new Date()` and `Date()` read the virtual wall time; every other use is
 * the host's `Date`, untouched.
 *
 * @module
 */

/**
 * Builds a `Date` constructor over `RealDate` whose current time is
 * `dateNow()`. It shares `RealDate.prototype`, so `instanceof Date` holds
 * for dates made before, during and after the install, subclasses work, and
 * `Date.UTC`, `Date.parse` and every method of a date are the host's own.
 */
export function fakeDate(
  RealDate: DateConstructor,
  dateNow: () => number,
): DateConstructor {
  const toString = RealDate.prototype.toString;
  function Date(this: unknown, ...args: unknown[]): unknown {
    // `Date()` called as a function ignores its arguments and returns the
    // current time as a string.
    if (new.target === undefined) {
      return toString.call(new RealDate(dateNow()));
    }
    return Reflect.construct(
      RealDate,
      args.length === 0 ? [dateNow()] : args,
      new.target,
    );
  }
  // `length`, `name`, `prototype` (so `new Date() instanceof Date` holds
  // both ways), `parse`, `UTC` and anything else the host defines, with the
  // host's attributes; then `now`.
  for (const key of Reflect.ownKeys(RealDate)) {
    const descriptor = Object.getOwnPropertyDescriptor(RealDate, key)!;
    Object.defineProperty(Date, key, descriptor);
  }
  const now = Object.getOwnPropertyDescriptor(RealDate, "now");
  Object.defineProperty(Date, "now", {
    ...now,
    value: {
      now(): number {
        return dateNow();
      },
    }.now,
  });
  return Date as unknown as DateConstructor;
}

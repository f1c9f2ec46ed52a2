/**
 * Host-shaped timer functions on a virtual clock, for `VirtualClock.install`:
 * `setTimeout`, `setInterval`, `setImmediate`, `requestAnimationFrame`, their
 * `clear`/`cancel` partners and `AbortSignal.timeout`, with the host's
 * handles, delay rules and callback conventions.
 *
 * Two host shapes, told apart by what the host's own `setTimeout` returns:
 * - objects (Node, Bun, Deno 2.9): `Timeout` handles with `ref`, `unref`,
 *   `hasRef`, `refresh`, `close` and `[Symbol.toPrimitive]`; delays go
 *   through `after * 1` and anything outside [1, 2^31 - 1] becomes 1 ms,
 *   with the host's `TimeoutOverflowWarning` (and on Deno and Bun its NaN and
 *   negative warnings); a callback that is not a function is a `TypeError`;
 *   callbacks run with the handle as `this`.
 * - numbers (browsers): delays are WebIDL `long`s (truncated, modulo 2^32),
 *   negative ones become 0, and from the sixth nested timer on a delay below
 *   4 ms becomes 4 ms (HTML's timer nesting rule, intervals included); a
 *   string callback is evaluated as code.
 *
 * @module
 */

import type { HeapEntry } from "../core/_heap.ts";

/** The key of the method a `VirtualClock` calls to run one of its timers. */
export const FIRE: unique symbol = Symbol("fire");

/**
 * A timer in a `VirtualClock`'s heap. The fakes' timers are their own
 * handles, so arming one allocates nothing else.
 */
export interface ClockTimer extends HeapEntry {
  /** The period of an interval (re-armed after it runs), or -1. */
  period: number;
  /** Runs the timer. */
  [FIRE](): void;
}

/** What the fakes need of the clock: a capability the clock hands over. */
export interface FakeableClock {
  /** Virtual time in milliseconds. */
  now(): number;
  /** Schedules `timer` `ms` (any finite number >= 0) from now. */
  arm(timer: ClockTimer, ms: number): void;
  /** Unschedules `timer` (also while its interval callback runs). */
  cancel(timer: ClockTimer): void;
}

/** The host functions the fakes fall back to for handles they did not make. */
export interface HostClearFunctions {
  /** The host's `clearTimeout`. */
  clearTimeout?: ((handle: unknown) => void) | undefined;
  /** The host's `clearInterval`. */
  clearInterval?: ((handle: unknown) => void) | undefined;
  /** The host's `clearImmediate`. */
  clearImmediate?: ((handle: unknown) => void) | undefined;
  /** The host's `cancelAnimationFrame`. */
  cancelAnimationFrame?: ((handle: unknown) => void) | undefined;
}

// deno-lint-ignore no-explicit-any
type AnyFunction = (...args: any[]) => any;

const MAX_DELAY = 2 ** 31 - 1;
const FRAME_MS = 16;
const TIMEOUT = 1;
const INTERVAL = 2;
const IMMEDIATE = 4;
const FRAME = 8;
type Kind = typeof TIMEOUT | typeof INTERVAL | typeof IMMEDIATE | typeof FRAME;
// A timer's state, in one small integer (a timer is a heap entry: the
// smaller, the fewer cache misses when the heap compares deadlines): the
// kind, three flags, and the HTML nesting level (capped at 7: only "more
// than 6" matters).
const KIND = 15;
const ARMED = 16;
const CLEARED = 32;
const UNREF = 64;
const NESTING_SHIFT = 8;
const MAX_NESTING = 7;

// Ids of every install share one sequence, so a handle kept from an earlier
// install never names a timer of a later one. They start high, as
// @sinonjs/fake-timers' do, so that they never equal the id of a real host
// timer armed before the install.
let nextId = 1e12;

const shapes = new WeakMap<AnyFunction, boolean>();

/**
 * Whether the host's `setTimeout` returns objects (Node, Bun, Deno 2.9) or
 * numbers (browsers): arms and clears one far-future host timer, once per
 * `setTimeout` function.
 */
export function hostHandlesAreObjects(
  setTimeout: AnyFunction | undefined,
  clearTimeout: AnyFunction | undefined,
): boolean {
  if (setTimeout === undefined) return false;
  let objects = shapes.get(setTimeout);
  if (objects === undefined) {
    const handle = setTimeout(() => {}, MAX_DELAY);
    clearTimeout?.(handle);
    objects = handle !== null && typeof handle === "object";
    shapes.set(setTimeout, objects);
  }
  return objects;
}

const CLEAR = Symbol("clear");
const ID = Symbol("id");

/** A timer the fakes armed; on object-shaped hosts also its handle. */
class FakeTimer implements ClockTimer {
  /** When it is due (kept by the clock). */
  deadline = 0;
  /** Its arming order (kept by the clock). */
  seq = 0;
  /** Its place in the clock's heap (kept by the clock). */
  index = -1;
  /** The period of a Node-shaped interval, or -1. */
  period = -1;
  readonly #timers: HostTimers;
  readonly #callback: AnyFunction;
  readonly #args: unknown[] | undefined;
  readonly #ms: number;
  #state: number;
  #id = 0;

  constructor(
    timers: HostTimers,
    kind: Kind,
    callback: AnyFunction,
    args: unknown[] | undefined,
    ms: number,
    nesting: number,
  ) {
    this.#timers = timers;
    this.#callback = callback;
    this.#args = args;
    this.#ms = ms;
    this.#state = kind |
      (nesting < MAX_NESTING ? nesting : MAX_NESTING) << NESTING_SHIFT;
    this.#arm();
  }

  /** Runs the callback (the clock calls this when the timer is due). */
  [FIRE](): void {
    const timers = this.#timers;
    const kind = this.#state & KIND;
    if (this.period < 0) {
      this.#state &= ~ARMED;
      if (this.#id !== 0 && kind !== INTERVAL) timers.byId.delete(this.#id);
    }
    if (timers.objects && kind !== FRAME) {
      // Node's shape: no nesting levels, intervals re-arm in the clock, the
      // handle is `this`.
      if (this.#args === undefined) this.#callback.call(this);
      else this.#callback.apply(this, this.#args);
      return;
    }
    const outer = timers.nesting;
    timers.nesting = this.#state >>> NESTING_SHIFT;
    try {
      if (kind === FRAME) {
        this.#callback.call(undefined, timers.clock.now());
      } else if (this.#args === undefined) {
        this.#callback.call(globalThis);
      } else {
        this.#callback.apply(globalThis, this.#args);
      }
    } finally {
      timers.nesting = outer;
      // HTML re-runs the timer initialisation steps for an interval, one
      // nesting level deeper each time.
      if (kind === INTERVAL && (this.#state & CLEARED) === 0) {
        if ((this.#state >>> NESTING_SHIFT) < MAX_NESTING) {
          this.#state += 1 << NESTING_SHIFT;
        }
        this.#arm();
      }
    }
  }

  /**
   * Keeps the host alive while armed (a no-op in virtual time).
   *
   * @returns This handle.
   */
  ref(): this {
    this.#state &= ~UNREF;
    return this;
  }

  /**
   * Lets the host exit while armed (a no-op in virtual time).
   *
   * @returns This handle.
   */
  unref(): this {
    this.#state |= UNREF;
    return this;
  }

  /**
   * Whether the handle is ref'ed.
   *
   * @returns Whether the handle is ref'ed.
   */
  hasRef(): boolean {
    return (this.#state & UNREF) === 0;
  }

  /** Cancels the timer, as `clearTimeout(handle)` does. */
  [Symbol.dispose](): void {
    this[CLEAR](this.#state & KIND);
  }

  /** Cancels the timer if it is of one of `kinds`. */
  [CLEAR](kinds: number): void {
    const state = this.#state;
    if ((state & kinds) === 0 || (state & CLEARED) !== 0) return;
    this.#state = (state | CLEARED) & ~ARMED;
    if (this.#id !== 0) this.#timers.byId.delete(this.#id);
    if ((state & ARMED) !== 0) this.#timers.clock.cancel(this);
  }

  /** The timer's id: the handle on number-shaped hosts. */
  [ID](): number {
    if (this.#id === 0) {
      this.#id = nextId++;
      if ((this.#state & CLEARED) === 0) this.#timers.byId.set(this.#id, this);
    }
    return this.#id;
  }

  /** Re-arms the timer for its delay from now (Node's `refresh`). */
  protected rearm(): void {
    if ((this.#state & CLEARED) !== 0) return;
    if ((this.#state & ARMED) !== 0) this.#timers.clock.cancel(this);
    if (this.#id !== 0) this.#timers.byId.set(this.#id, this);
    this.#arm();
  }

  #arm(): void {
    const timers = this.#timers;
    let ms = this.#ms;
    const kind = this.#state & KIND;
    if (kind === FRAME) {
      const now = timers.clock.now();
      ms = Math.floor(now / FRAME_MS) * FRAME_MS + FRAME_MS - now;
    } else if (!timers.objects && kind !== IMMEDIATE) {
      // HTML: "If nesting level is greater than 5, and timeout is less than
      // 4, then set timeout to 4." The level is that of the task arming the
      // timer, one less than the timer's own.
      if ((this.#state >>> NESTING_SHIFT) > 6 && ms < 4) ms = 4;
    } else if (kind === INTERVAL) {
      // Node's intervals re-arm in the clock, after each run.
      this.period = ms < 1 ? 1 : ms;
    }
    this.#state |= ARMED;
    timers.clock.arm(this, ms);
  }
}

/** A Node-shaped `Timeout` handle. */
class FakeTimeout extends FakeTimer {
  /**
   * Re-arms the timer for its full delay from now, even after it ran, as
   * Node's `timeout.refresh()` does; a cleared timer stays cleared.
   *
   * @returns This handle.
   */
  refresh(): this {
    this.rearm();
    return this;
  }

  /**
   * Cancels the timer.
   *
   * @returns This handle.
   */
  close(): this {
    this[CLEAR](TIMEOUT | INTERVAL);
    return this;
  }

  /**
   * The timer's id, which `clearTimeout` also accepts.
   *
   * @returns The id.
   */
  [Symbol.toPrimitive](): number {
    return this[ID]();
  }
}

function nodeTypeError(name: string, value: unknown): TypeError {
  const received = value === null || value === undefined
    ? String(value)
    : typeof value === "object"
    ? `an instance of ${
      (value as { constructor?: { name?: string } }).constructor?.name ??
        "Object"
    }`
    : `type ${typeof value} (${
      typeof value === "string" ? `'${value}'` : String(value)
    })`;
  const error = new TypeError(
    `The "${name}" argument must be of type function. Received ${received}`,
  );
  (error as { code?: string }).code = "ERR_INVALID_ARG_TYPE";
  return error;
}

/** The fake timer functions of one install. */
export class HostTimers {
  /** The clock the timers live on. */
  readonly clock: FakeableClock;
  /** Whether handles are objects (Node's rules) or numbers (HTML's). */
  readonly objects: boolean;
  /** The timers (`FakeTimer`s) whose id was handed out, by id. */
  readonly byId: Map<number, object> = new Map();
  /** The timer nesting level of the timer callback running (HTML). */
  nesting = 0;
  readonly #host: HostClearFunctions;
  readonly #moreWarnings: boolean;

  /**
   * @param clock The clock to arm timers on.
   * @param objects Whether the host's handles are objects.
   * @param host The host's clear functions, for handles of real timers.
   * @param moreWarnings Whether the host warns about NaN and negative
   *   delays too (Deno, Bun).
   */
  constructor(
    clock: FakeableClock,
    objects: boolean,
    host: HostClearFunctions,
    moreWarnings: boolean,
  ) {
    this.clock = clock;
    this.objects = objects;
    this.#host = host;
    this.#moreWarnings = moreWarnings;
  }

  /** The fake functions, by the name of the global they replace. */
  functions(): Record<string, AnyFunction> {
    const arm = (
      kind: Kind,
      callback: unknown,
      delay: unknown,
      args: unknown[] | undefined,
    ): unknown => {
      const fn = this.#callbackOf(callback);
      const ms = kind === IMMEDIATE ? 0 : this.#delayOf(delay);
      const timer = this.objects && kind !== FRAME
        ? kind === IMMEDIATE
          ? new FakeTimer(this, kind, fn, args, ms, 0)
          : new FakeTimeout(this, kind, fn, args, ms, this.nesting + 1)
        : new FakeTimer(this, kind, fn, args, ms, this.nesting + 1);
      return this.objects && kind !== FRAME ? timer : timer[ID]();
    };
    const clear =
      (kinds: number, fallback: AnyFunction | undefined) =>
      (handle: unknown): void => {
        const timer = this.#find(handle);
        if (timer !== undefined) timer[CLEAR](kinds);
        else fallback?.(handle);
      };
    const some = (args: unknown[]) => args.length === 0 ? undefined : args;
    return {
      setTimeout(callback: unknown, delay?: unknown, ...args: unknown[]) {
        return arm(TIMEOUT, callback, delay, some(args));
      },
      setInterval(callback: unknown, delay?: unknown, ...args: unknown[]) {
        return arm(INTERVAL, callback, delay, some(args));
      },
      setImmediate(callback: unknown, ...args: unknown[]) {
        return arm(IMMEDIATE, callback, 0, some(args));
      },
      requestAnimationFrame(callback: unknown) {
        return arm(FRAME, callback, 0, undefined);
      },
      // Timeouts and intervals clear each other, as on every host.
      clearTimeout: clear(TIMEOUT | INTERVAL, this.#host.clearTimeout),
      clearInterval: clear(TIMEOUT | INTERVAL, this.#host.clearInterval),
      clearImmediate: clear(IMMEDIATE, this.#host.clearImmediate),
      cancelAnimationFrame: clear(FRAME, this.#host.cancelAnimationFrame),
    };
  }

  /** `AbortSignal.timeout(ms)` on the clock. */
  abortSignalTimeout(ms: unknown): AbortSignal {
    // WebIDL `[EnforceRange] unsigned long long`.
    const n = Math.trunc(Number(ms));
    if (!Number.isFinite(n) || n < 0 || n > Number.MAX_SAFE_INTEGER) {
      throw new TypeError(
        `Cannot create a timeout signal as 'ms' must be a finite number >= 0: current value is ${
          String(ms)
        }`,
      );
    }
    const controller = new AbortController();
    const timer: ClockTimer = {
      deadline: 0,
      seq: 0,
      index: -1,
      period: -1,
      [FIRE]() {
        controller.abort(new DOMException("Signal timed out.", "TimeoutError"));
      },
    };
    this.clock.arm(timer, this.objects && n < 1 ? 1 : n);
    return controller.signal;
  }

  #find(handle: unknown): FakeTimer | undefined {
    if (handle instanceof FakeTimer) return handle;
    if (typeof handle === "number" || typeof handle === "string") {
      return this.byId.get(Number(handle)) as FakeTimer | undefined;
    }
    return undefined;
  }

  #callbackOf(callback: unknown): AnyFunction {
    if (typeof callback === "function") return callback as AnyFunction;
    if (this.objects) throw nodeTypeError("callback", callback);
    // HTML: a string is compiled and run as a classic script.
    const code = String(callback);
    return () => (0, globalThis.eval)(code);
  }

  #delayOf(delay: unknown): number {
    if (this.objects) {
      // Node: `after *= 1`, then anything outside [1, TIMEOUT_MAX] is 1.
      const after = (delay as number) * 1;
      if (after >= 1 && after <= MAX_DELAY) return after;
      if (after > MAX_DELAY) {
        this.#warn(
          `${after} does not fit into a 32-bit signed integer.`,
          "TimeoutOverflowWarning",
        );
      } else if (this.#moreWarnings && typeof delay === "number") {
        if (delay !== delay) {
          this.#warn("NaN is not a number.", "TimeoutNaNWarning");
        } else if (delay < 0) {
          this.#warn(
            `${delay} is a negative number.`,
            "TimeoutNegativeWarning",
          );
        }
      }
      return 1;
    }
    // WebIDL `long`: ToNumber, truncate, modulo 2^32; negative is 0.
    const ms = (delay as number) | 0;
    return ms < 0 ? 0 : ms;
  }

  #warn(message: string, type: string): void {
    const process = (globalThis as {
      process?: { emitWarning?: (message: string, type: string) => void };
    }).process;
    process?.emitWarning?.(`${message}\nTimeout duration was set to 1.`, type);
  }
}

/**
 * The simulated host a transformed snippet sees: the globals of the chosen
 * runtime (timers, `queueMicrotask`, `Promise`, `process.nextTick`,
 * `setImmediate`, `requestAnimationFrame`, `scheduler.postTask`, `Date`,
 * `performance`, `console`, `globalThis` ...) routed to the simulated event
 * loop, and the helper the transform calls (simulated async functions, the
 * loop guard, labels).
 *
 * A name the runtime lacks throws a `ReferenceError` as it would there
 * (`process is not defined` in a browser); a name the runtime has but the
 * page does not simulate (`fetch`, `document`) throws a
 * {@linkcode NotSimulatedError} and stops the run, so that no order is shown
 * that the simulator did not produce.
 *
 * A busy loop that reads the clock (`while (Date.now() - start < 50)`)
 * spends virtual time: each `Date.now()`, `performance.now()` or
 * `process.hrtime()` read inside a loop of a callback costs 1/64 ms of virtual
 * time (`EventLoop.spend`), so the loop ends when virtual time has moved as
 * far as it waits for; no other code takes virtual time.
 *
 * @module
 */

import type {
  ProfileInfo,
  Simulation,
  TaskOptions,
  UncaughtErrorEvent,
} from "./adapter.ts";
import { formatLog } from "./format.ts";
import { NotSimulatedError, whyNotSimulated } from "./not_simulated.ts";
import { PURE_GLOBALS } from "./transform.ts";

/** A console method. */
export type ConsoleLevel = "log" | "info" | "debug" | "warn" | "error";

/** One line the snippet printed. */
export interface OutputLine {
  /** The text. */
  readonly text: string;
  /** The console method. */
  readonly level: ConsoleLevel;
  /** The trace event that printed it (1 is the script). */
  readonly event: number;
}

/** A callback the snippet scheduled through a host API. */
export interface ArmRecord {
  /** Its label in the trace (unique per call). */
  readonly label: string;
  /** The API, e.g. `"setTimeout"`. */
  readonly api: string;
  /** The event during which it was scheduled. */
  readonly armedBy: number;
  /** The event during which it was cancelled, if it was. */
  clearedBy?: number;
  /** Whether it repeats (`setInterval`). */
  readonly interval: boolean;
}

/** A loop in the snippet ran too many iterations in one callback. */
export class IterationLimitError extends Error {
  /**
   * Creates the error.
   *
   * @param message The message.
   */
  constructor(message: string) {
    super(message);
    this.name = "IterationLimitError";
  }
}

/** `process.exit()` was called: the run ends there. */
export class ProcessExit extends Error {
  /** The exit code. */
  readonly code: number;
  /**
   * Creates the signal.
   *
   * @param code The exit code.
   */
  constructor(code: number) {
    super(`process.exit(${code})`);
    this.name = "ProcessExit";
    this.code = code;
  }
}

type Where = "h" | "c" | "m" | "d";

const WHERE: Record<ProfileInfo["id"], Where> = {
  html: "h",
  node: "c",
  "node-esm": "m",
  deno: "d",
};

/**
 * Names the real runtimes have (letters: h html, c node CommonJS, m node
 * ESM, d deno) that the page does not simulate, and their `typeof`.
 */
const UNSIMULATED: Record<string, [string, "function" | "object"]> = {
  fetch: ["hcmd", "function"],
  XMLHttpRequest: ["h", "function"],
  WebSocket: ["hd", "function"],
  Worker: ["hd", "function"],
  SharedWorker: ["h", "function"],
  BroadcastChannel: ["hcmd", "function"],
  MessagePort: ["hcmd", "function"],
  document: ["h", "object"],
  navigator: ["hd", "object"],
  location: ["h", "object"],
  history: ["h", "object"],
  localStorage: ["hd", "object"],
  sessionStorage: ["hd", "object"],
  indexedDB: ["h", "object"],
  dispatchEvent: ["hd", "function"],
  postMessage: ["h", "function"],
  requestIdleCallback: ["h", "function"],
  cancelIdleCallback: ["h", "function"],
  TaskController: ["h", "function"],
  TaskSignal: ["h", "function"],
  alert: ["hd", "function"],
  confirm: ["hd", "function"],
  prompt: ["hd", "function"],
  Atomics: ["hcmd", "object"],
  WebAssembly: ["hcmd", "object"],
  FinalizationRegistry: ["hcmd", "function"],
  eval: ["hcmd", "function"],
  Function: ["hcmd", "function"],
  Deno: ["d", "object"],
  Buffer: ["cmd", "function"],
  crypto: ["hcmd", "object"],
};

/** The module a snippet may import or require, by specifier. */
type Modules = Record<string, Record<string, unknown>>;

/**
 * Virtual time a clock read inside a loop costs (a busy wait spends it):
 * 1/64 ms, a binary fraction, so that waits add up without rounding.
 */
const CLOCK_READ_COST_MS = 1 / 64;
const EPOCH_MS = Date.UTC(2025, 0, 1);

/**
 * The host of one run: the global object the snippet sees, the helper the
 * transform calls, and what the run recorded (output, scheduled callbacks,
 * features that are not simulated).
 */
export class Host {
  /** What the snippet printed. */
  readonly output: OutputLine[] = [];
  /** Every callback scheduled through a host API. */
  readonly arms: ArmRecord[] = [];
  /** Features the snippet reached that are not simulated (yet). */
  readonly notSimulated: string[] = [];
  /**
   * What stopped the run from inside (a refusal, the loop guard,
   * `process.exit()`), and when: set even where the snippet caught it.
   */
  halt: { error: Error; event: number } | undefined;
  /** The global object of the snippet (`__host`). */
  readonly global: Record<string, unknown>;
  /** The helper of the transformed code (`__pledge`). */
  readonly helper: Record<string, unknown>;
  /** `this` at the top level of the snippet. */
  readonly thisValue: unknown;

  readonly #sim: Simulation;
  readonly #info: ProfileInfo;
  readonly #where: Where;
  readonly #values = new Map<string, unknown>();
  readonly #bag = new Map<string, unknown>();
  // Per kind of handle (timers, immediates, frames): handle -> its arm.
  readonly #handles = new Map<string, Map<unknown, ArmRecord>>();
  // The snippet's error and rejection listeners -> their registrations.
  readonly #listeners = new Map<unknown, Disposable>();
  // `process.on("uncaughtException" | "unhandledRejection")` listeners, and
  // in deno the forwarder of rejections to the former (see #listen).
  readonly #processUncaught = new Set<(...args: unknown[]) => unknown>();
  readonly #processRejection = new Set<unknown>();
  #forwarder: Disposable | undefined;
  #collector: Disposable[] = [];
  #onReported:
    | ((error: unknown, event: number, rejection: boolean) => void)
    | undefined;
  readonly #lines = new WeakMap<object, number>();
  readonly #iterationLimit: number;
  #iterations = 0;
  #clockReads = 0;
  #halted = false;
  #guardEvent = -1;
  #ids = 0;

  /**
   * Builds the host for `sim` under `info`'s runtime.
   *
   * @param sim The simulation.
   * @param info The profile.
   * @param iterationLimit Loop iterations allowed in one callback.
   */
  constructor(sim: Simulation, info: ProfileInfo, iterationLimit: number) {
    this.#sim = sim;
    this.#info = info;
    this.#where = WHERE[info.id];
    this.#iterationLimit = iterationLimit;
    this.#define();
    const global = this.#globalView();
    this.global = this.#hostProxy(global);
    this.thisValue = info.module
      ? undefined
      : info.commonjs
      ? this.#values.get("exports")
      : global;
    this.helper = {
      async: (
        name: string,
        thisArg: unknown,
        args: ArrayLike<unknown>,
        body: () => Generator<unknown, unknown, unknown>,
      ) => sim.async(name, thisArg, args, body),
      tick: () => this.#tick(),
      at: (line: number, fn: () => unknown, method?: string) => {
        this.#lines.set(fn, line);
        if (method !== undefined && fn.name === "") {
          Object.defineProperty(fn, "name", {
            value: `${method} · line ${line}`,
          });
        }
        return fn;
      },
      typeOf: (name: string) => this.#typeOf(name),
      import: (specifier: string) => this.#import(specifier),
    };
  }

  /** Refuses a feature: records it, stops the loop and throws. */
  refuse(feature: string): never {
    if (!this.notSimulated.includes(feature)) this.notSimulated.push(feature);
    this.#halt(new NotSimulatedError(feature, whyNotSimulated(feature)));
  }

  // After a refusal nothing of the snippet may run on: the queues are
  // dropped, and whatever still runs (a promise job that caught the refusal)
  // gets the refusal again from any global it touches.
  #halt(error: Error): never {
    this.halt ??= { error, event: this.#sim.currentEvent };
    this.#halted = true;
    this.#sim.stop();
    throw error;
  }

  #rethrow(): never {
    this.#sim.stop();
    throw this.halt!.error;
  }

  /**
   * Collects what the browser reports (html): an error thrown by a callback
   * or an unhandled rejection that no listener of the snippet prevented.
   * Its listener runs after the snippet's own (it moves behind each one the
   * snippet adds), then prevents the default, as the page shows the report
   * itself.
   *
   * @param onReported Receives each reported error, the event it happened
   *   in, and whether it is a rejection.
   */
  collectReports(
    onReported: (error: unknown, event: number, rejection: boolean) => void,
  ): void {
    this.#onReported = onReported;
    this.#moveCollector();
  }

  #moveCollector(): void {
    const onReported = this.#onReported;
    if (onReported === undefined) return;
    for (const d of this.#collector) d[Symbol.dispose]();
    const collect = (rejection: boolean) => (e: UncaughtErrorEvent) => {
      if (!e.defaultPrevented && e.error !== this.halt?.error) {
        onReported(e.error, e.eventId ?? this.#sim.currentEvent, rejection);
      }
      e.preventDefault();
    };
    this.#collector = [
      this.#sim.onError(collect(false)),
      this.#sim.onUnhandledRejection(collect(true)),
    ];
  }

  #tick(): void {
    const event = this.#sim.currentEvent;
    if (event !== this.#guardEvent) {
      this.#guardEvent = event;
      this.#iterations = 0;
      this.#clockReads = 0;
    }
    if (++this.#iterations <= this.#iterationLimit) return;
    this.#halt(
      new IterationLimitError(
        `A loop ran more than ${this.#iterationLimit} times in one callback without giving the event loop back (an infinite loop?): the page stopped it`,
      ),
    );
  }

  /** Reads the virtual clock (in a loop, a read spends virtual time). */
  #readClock(): number {
    if (this.#sim.currentEvent === this.#guardEvent) {
      this.#clockReads++;
      if (this.#iterations > 0) this.#sim.spend(CLOCK_READ_COST_MS);
    }
    return this.#sim.now;
  }

  #arm(api: string, fn: unknown, detail: string, interval = false): {
    arm: ArmRecord;
    cb: (...args: unknown[]) => unknown;
  } {
    if (typeof fn !== "function") {
      if (typeof fn === "string") this.refuse(`${api} with a string of code`);
      throw new TypeError(
        `Failed to execute '${api}': parameter 1 is not of type 'Function'`,
      );
    }
    const id = ++this.#ids;
    const where = this.#lines.get(fn);
    const name = where !== undefined
      ? ` · line ${where}`
      : fn.name !== ""
      ? ` · ${fn.name}`
      : "";
    const arm: ArmRecord = {
      label: `${api}${detail} #${id}${name}`,
      api,
      armedBy: this.#sim.currentEvent,
      interval,
    };
    this.arms.push(arm);
    const f = fn as (...args: unknown[]) => unknown;
    const halted = () => this.#halted && this.#rethrow();
    const cb = this.#sim.label(
      arm.label,
      function (this: unknown, ...args: unknown[]) {
        halted();
        return f.apply(this, args);
      },
    );
    return { arm, cb };
  }

  // Returns the library's handle, noting its arm to mark cancellations.
  #handle<H>(kind: string, handle: H, arm: ArmRecord): H {
    let map = this.#handles.get(kind);
    if (map === undefined) this.#handles.set(kind, map = new Map());
    map.set(handle, arm);
    return handle;
  }

  #clear(kind: string, handle: unknown, clear: (h: never) => void): void {
    const arm = this.#handles.get(kind)?.get(handle);
    if (arm === undefined) return;
    arm.clearedBy ??= this.#sim.currentEvent;
    clear(handle as never);
  }

  #define(): void {
    const sim = this.#sim;
    const v = this.#values;
    const apis = this.#info.apis;
    const timer =
      (api: "setTimeout" | "setInterval") =>
      (fn: unknown, ms?: unknown, ...args: unknown[]) => {
        const { arm, cb } = this.#arm(
          api,
          fn,
          `(${delayText(ms)})`,
          api === "setInterval",
        );
        const handle = api === "setTimeout"
          ? sim.setTimeout(cb, ms, args)
          : sim.setInterval(cb, ms, args);
        return this.#handle("timer", handle, arm);
      };
    const clearTimer = (id: unknown) =>
      this.#clear("timer", id, (h) => sim.clearTimer(h));
    v.set("setTimeout", timer("setTimeout"));
    v.set("setInterval", timer("setInterval"));
    v.set("clearTimeout", clearTimer);
    v.set("clearInterval", clearTimer);
    v.set("queueMicrotask", (fn: unknown) => {
      sim.queueMicrotask(this.#arm("queueMicrotask", fn, "").cb);
    });
    v.set("Promise", this.#promiseClass());
    v.set("console", this.#console());
    v.set("Date", this.#dateClass());
    v.set(
      "performance",
      Object.freeze({ now: () => this.#readClock(), timeOrigin: EPOCH_MS }),
    );
    v.set("MessageChannel", function MessageChannel() {
      if (!new.target) {
        throw new TypeError(
          "Failed to construct 'MessageChannel': Please use the 'new' operator",
        );
      }
      return sim.messageChannel();
    });
    v.set("AbortSignal", this.#abortSignal());
    if (this.#where === "h" || this.#where === "d") {
      v.set(
        "addEventListener",
        (type: unknown, fn: unknown) => this.#listen(String(type), fn),
      );
      v.set(
        "removeEventListener",
        (type: unknown, fn: unknown) => this.#unlisten(String(type), fn),
      );
    }
    if (apis.nextTick) {
      v.set("process", this.#process());
    }
    if (apis.setImmediate) {
      v.set("setImmediate", (fn: unknown, ...args: unknown[]) => {
        const { arm, cb } = this.#arm("setImmediate", fn, "");
        return this.#handle("immediate", sim.setImmediate(cb, args), arm);
      });
      v.set(
        "clearImmediate",
        (id: unknown) =>
          this.#clear("immediate", id, (h) => sim.clearImmediate(h)),
      );
    }
    if (apis.requestAnimationFrame) {
      v.set("requestAnimationFrame", (fn: unknown) => {
        const { arm, cb } = this.#arm("requestAnimationFrame", fn, "");
        return this.#handle("frame", sim.requestAnimationFrame(cb), arm);
      });
      v.set(
        "cancelAnimationFrame",
        (id: unknown) =>
          this.#clear("frame", id, (h) => sim.cancelAnimationFrame(h)),
      );
    }
    if (apis.postTask) v.set("scheduler", this.#scheduler());
    if (this.#info.commonjs) {
      const exports = {};
      v.set("exports", exports);
      v.set("module", { exports });
      v.set("require", (specifier: unknown) => this.#require(specifier));
      v.set("__filename", "/snippet.cjs");
      v.set("__dirname", "/");
    }
  }

  #abortSignal(): unknown {
    const timeout = (ms: unknown) => this.#sim.abortSignalTimeout(Number(ms));
    return new Proxy(AbortSignal, {
      get: (target, name, receiver) =>
        name === "timeout" ? timeout : Reflect.get(target, name, receiver),
    });
  }

  #console(): Record<string, unknown> {
    const print = (level: ConsoleLevel) => (...args: unknown[]) => {
      if (this.#halted) this.#rethrow();
      this.output.push({
        text: formatLog(args),
        level,
        event: this.#sim.currentEvent,
      });
    };
    const noop = () => {};
    return {
      log: print("log"),
      info: print("info"),
      debug: print("debug"),
      warn: print("warn"),
      error: print("error"),
      trace: print("error"),
      dir: print("log"),
      table: print("log"),
      group: print("log"),
      groupEnd: noop,
      time: noop,
      timeEnd: noop,
      assert: (ok: unknown, ...args: unknown[]) => {
        if (!ok) print("error")("Assertion failed", ...args);
      },
    };
  }

  #process(): Record<string, unknown> {
    const sim = this.#sim;
    const process: Record<string, unknown> = {
      nextTick: (fn: unknown, ...args: unknown[]) => {
        sim.nextTick(this.#arm("nextTick", fn, "").cb, args);
      },
      env: {},
      argv: ["node", "/snippet.js"],
      platform: "linux",
      exitCode: undefined,
      exit: (code?: number) => this.#halt(new ProcessExit(code ?? 0)),
      hrtime: Object.assign(
        () => {
          const ms = this.#readClock();
          return [Math.floor(ms / 1000), Math.round((ms % 1000) * 1e6)];
        },
        { bigint: () => BigInt(Math.round(this.#readClock() * 1e6)) },
      ),
    };
    const on = (type: unknown, fn: unknown) => {
      this.#listen(String(type), fn, true);
      return process;
    };
    const off = (type: unknown, fn: unknown) => {
      this.#unlisten(String(type), fn);
      return process;
    };
    Object.assign(process, {
      on,
      addListener: on,
      once: () => this.refuse("process.once()"),
      off,
      removeListener: off,
    });
    return process;
  }

  #scheduler(): Record<string, unknown> {
    const sim = this.#sim;
    return {
      postTask: (fn: unknown, options?: TaskOptions) => {
        const { cb } = this.#arm(
          "postTask",
          fn,
          options?.priority === undefined ? "" : `(${options.priority})`,
        );
        return sim.postTask(cb, options ?? {});
      },
      yield: () => sim.yield(),
    };
  }

  #promiseClass(): unknown {
    const sim = this.#sim;
    function Promise(
      this: unknown,
      init: (
        resolve: (v?: unknown) => void,
        reject: (e?: unknown) => void,
      ) => void,
    ): unknown {
      if (!new.target) {
        throw new TypeError(
          "Promise constructor cannot be invoked without 'new'",
        );
      }
      if (typeof init !== "function") {
        throw new TypeError(
          `Promise resolver ${inspectName(init)} is not a function`,
        );
      }
      return sim.promise(init);
    }
    // The library's statics, with the natives' ticks; `try` and
    // `withResolvers` only where the runtime has them (not Node 20).
    const statics: Record<string, unknown> = {
      ...sim.promiseStatics(),
      resolve: (v: unknown) => sim.resolved(v),
      reject: (e: unknown) => sim.rejected(e),
    };
    if (this.#where === "c" || this.#where === "m") {
      delete statics.try;
      delete statics.withResolvers;
    }
    Object.assign(Promise, statics);
    Object.defineProperty(Promise, "prototype", {
      value: sim.promisePrototype,
    });
    return Promise;
  }

  // `addEventListener("error" | "unhandledrejection")` (browsers, Deno) and
  // `process.on("uncaughtException" | "unhandledRejection")` (Node): the
  // loop's listeners, with the event each runtime passes.
  #listen(type: string, fn: unknown, node = false): void {
    if (typeof fn !== "function" || this.#listeners.has(fn)) return;
    const rejection =
      type === (node ? "unhandledRejection" : "unhandledrejection");
    if (!rejection && type !== (node ? "uncaughtException" : "error")) {
      this.refuse(
        node ? `process.on("${type}")` : `addEventListener("${type}")`,
      );
    }
    const f = fn as (...args: unknown[]) => unknown;
    if (node) {
      if (rejection) this.#processRejection.add(f);
      else this.#processUncaught.add(f);
    }
    if (node && !rejection && this.#where === "d") {
      // Deno's node:process, as Node's default: with no unhandledRejection
      // listener an unhandled rejection goes to the uncaughtException
      // listeners (origin "unhandledRejection"); with none it crashes.
      this.#forwarder ??= this.#sim.onUnhandledRejection((e) => {
        if (this.#halted || this.#processRejection.size > 0) return;
        if (this.#processUncaught.size === 0) return;
        e.preventDefault();
        for (const g of [...this.#processUncaught]) {
          g(e.error, "unhandledRejection");
        }
      });
    }
    const listener = (e: UncaughtErrorEvent) => {
      if (this.#halted) return;
      if (node) {
        if (rejection) f(e.error, e.promise);
        // Node raises an unhandled rejection nobody listens for as an
        // uncaught exception: its origin says so.
        else {
          f(
            e.error,
            e.promise === undefined
              ? "uncaughtException"
              : "unhandledRejection",
          );
        }
        e.preventDefault();
        return;
      }
      f(
        rejection
          ? {
            type,
            reason: e.error,
            promise: e.promise,
            preventDefault: () => e.preventDefault(),
            get defaultPrevented() {
              return e.defaultPrevented;
            },
          }
          : {
            type,
            error: e.error,
            message: e.error instanceof Error
              ? e.error.message
              : String(e.error),
            preventDefault: () => e.preventDefault(),
            get defaultPrevented() {
              return e.defaultPrevented;
            },
          },
      );
    };
    this.#listeners.set(
      fn,
      rejection
        ? this.#sim.onUnhandledRejection(listener)
        : this.#sim.onError(listener),
    );
    this.#moveCollector();
  }

  #unlisten(_type: string, fn: unknown): void {
    this.#listeners.get(fn)?.[Symbol.dispose]();
    this.#listeners.delete(fn);
    this.#processUncaught.delete(fn as never);
    this.#processRejection.delete(fn);
  }

  #dateClass(): unknown {
    const RealDate = Date;
    const now = () => EPOCH_MS + this.#readClock();
    function SimDate(this: unknown, ...args: unknown[]): unknown {
      if (!new.target) return new RealDate(now()).toString();
      return args.length === 0
        ? new RealDate(now())
        : new (RealDate as unknown as new (...a: unknown[]) => Date)(...args);
    }
    Object.defineProperty(SimDate, "prototype", { value: RealDate.prototype });
    Object.assign(SimDate, {
      now: () => Math.floor(now()),
      UTC: RealDate.UTC,
      parse: RealDate.parse,
    });
    return SimDate;
  }

  #modules(): Modules {
    const v = this.#values;
    const process = v.get("process") as Record<string, unknown> | undefined;
    const timers: Record<string, unknown> = {};
    for (
      const name of [
        "setTimeout",
        "setInterval",
        "clearTimeout",
        "clearInterval",
        "setImmediate",
        "clearImmediate",
      ]
    ) timers[name] = v.get(name);
    const modules: Modules = {};
    if (process !== undefined) {
      for (const name of ["process", "node:process"]) modules[name] = process;
      for (const name of ["timers", "node:timers"]) modules[name] = timers;
    }
    return modules;
  }

  #require(specifier: unknown): unknown {
    const m = this.#modules()[String(specifier)];
    if (m === undefined) this.refuse(`require(${JSON.stringify(specifier)})`);
    return m;
  }

  #import(specifier: string): Record<string, unknown> {
    const m = this.#modules()[specifier];
    if (m === undefined) this.refuse(`import ${JSON.stringify(specifier)}`);
    return { ...m, default: m };
  }

  // Where a name is found: "value" (simulated), "missing" (the runtime has
  // no such global), "refused" (the runtime has it, the page does not
  // simulate it).
  #lookup(name: string): "value" | "missing" | "refused" {
    if (this.#bag.has(name) || this.#values.has(name)) return "value";
    const unsimulated = UNSIMULATED[name];
    if (unsimulated !== undefined && unsimulated[0].includes(this.#where)) {
      return "refused";
    }
    return "missing";
  }

  #get(name: string): unknown {
    if (this.#halted) this.#rethrow();
    if (this.#bag.has(name)) return this.#bag.get(name);
    if (this.#values.has(name)) return this.#values.get(name);
    if (this.#lookup(name) === "refused") this.refuse(name);
    throw new ReferenceError(`${name} is not defined`);
  }

  #typeOf(name: string): string {
    switch (this.#lookup(name)) {
      case "value":
        return typeof this.#get(name);
      case "refused":
        return UNSIMULATED[name]![1];
      default:
        return "undefined";
    }
  }

  // The snippet's global object (`globalThis`, `window`, `self`, `global`).
  #globalView(): Record<string, unknown> {
    const real = globalThis as unknown as Record<string, unknown>;
    const view = new Proxy({} as Record<string, unknown>, {
      get: (_, name) => {
        if (typeof name !== "string") return undefined;
        if (PURE_GLOBALS.has(name)) return real[name];
        const where = this.#lookup(name);
        if (where === "value") return this.#get(name);
        if (where === "refused") this.refuse(name);
        return undefined;
      },
      set: (_, name, value) => {
        if (typeof name === "string") this.#bag.set(name, value);
        return true;
      },
      has: (_, name) =>
        typeof name === "string" &&
        (PURE_GLOBALS.has(name) || this.#lookup(name) !== "missing"),
    });
    const v = this.#values;
    v.set("globalThis", view);
    const aliases: Record<Where, string[]> = {
      h: ["window", "self"],
      c: ["global"],
      m: ["global"],
      d: ["global", "self"],
    };
    for (const alias of aliases[this.#where]) v.set(alias, view);
    return view;
  }

  // The object behind `__host.name` in the transformed code.
  #hostProxy(view: Record<string, unknown>): Record<string, unknown> {
    const strict = this.#info.module;
    return new Proxy({} as Record<string, unknown>, {
      get: (_, name) => typeof name === "string" ? this.#get(name) : undefined,
      set: (_, name, value) => {
        if (typeof name !== "string") return true;
        if (this.#values.has(name) && !this.#bag.has(name)) {
          this.#values.set(name, value);
          return true;
        }
        if (strict && !this.#bag.has(name)) {
          throw new ReferenceError(`${name} is not defined`);
        }
        view[name] = value;
        return true;
      },
    });
  }
}

// How a delay shows in a label: `setTimeout(10)`, `setTimeout("10")`.
function delayText(ms: unknown): string {
  if (ms === undefined) return "0";
  if (typeof ms === "number") return String(ms);
  if (typeof ms === "string") return JSON.stringify(ms);
  return typeof ms;
}

function inspectName(v: unknown): string {
  return v === undefined
    ? "undefined"
    : v === null
    ? "null"
    : typeof v === "object"
    ? "#<Object>"
    : String(v);
}

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
 * page does not simulate (`fetch`, `document`, `MessageChannel` until the
 * library has it) throws a {@linkcode NotSimulatedError} and stops the run,
 * so that no order is shown that the simulator did not produce.
 *
 * @module
 */

import {
  FEATURES,
  type ProfileInfo,
  type Simulation,
  type TaskOptions,
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
  addEventListener: ["hd", "function"],
  removeEventListener: ["hd", "function"],
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

const CLOCK_READ_COST_MS = 0.01;
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
  readonly #handles = new Map<number, { handle: unknown; arm: ArmRecord }>();
  readonly #lines = new WeakMap<object, number>();
  readonly #iterationLimit: number;
  #iterations = 0;
  #clockReads = 0;
  #timers = 0;
  #visibleTasks = 0;
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
   * Ends the run's bookkeeping: notes what ran but may be ordered unlike
   * the real runtime because the simulator lacks a feature.
   */
  finish(): void {
    if (
      this.#where === "h" && !FEATURES.postTaskTimerOrder &&
      this.#timers > 0 && this.#visibleTasks > 0
    ) this.#caveat("postTask and timer order");
  }

  #caveat(feature: string): void {
    if (!this.notSimulated.includes(feature)) this.notSimulated.push(feature);
  }

  #tick(): void {
    const event = this.#sim.currentEvent;
    if (event !== this.#guardEvent) {
      this.#guardEvent = event;
      this.#iterations = 0;
      this.#clockReads = 0;
    }
    if (++this.#iterations <= this.#iterationLimit) return;
    if (this.#clockReads * 2 >= this.#iterations) this.refuse("busy loop");
    this.#halt(
      new IterationLimitError(
        `A loop ran more than ${this.#iterationLimit} times in one callback without giving the event loop back (an infinite loop?): the page stopped it`,
      ),
    );
  }

  /** Reads the virtual clock (a busy loop on it may spend virtual time). */
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

  #handle(handle: unknown, arm: ArmRecord): number {
    const id = this.arms.length;
    this.#handles.set(id, { handle, arm });
    return id;
  }

  #clear(id: unknown, clear: (handle: unknown) => void): void {
    const entry = typeof id === "number" ? this.#handles.get(id) : undefined;
    if (entry === undefined) return;
    entry.arm.clearedBy ??= this.#sim.currentEvent;
    clear(entry.handle);
  }

  #delay(ms: unknown): number | undefined {
    if (ms === undefined || typeof ms === "number" || FEATURES.coercedDelays) {
      return ms as number | undefined;
    }
    return Number(ms); // as WebIDL and Node coerce: "10" is 10, "x" is NaN
  }

  #define(): void {
    const sim = this.#sim;
    const v = this.#values;
    const apis = this.#info.apis;
    const timer =
      (api: "setTimeout" | "setInterval") =>
      (fn: unknown, ms?: unknown, ...args: unknown[]) => {
        const delay = this.#delay(ms);
        this.#timers++;
        const { arm, cb } = this.#arm(
          api,
          fn,
          `(${delay ?? 0})`,
          api === "setInterval",
        );
        const handle = api === "setTimeout"
          ? sim.setTimeout(cb, delay, args)
          : sim.setInterval(cb, delay, args);
        return this.#handle(handle, arm);
      };
    const clearTimer = (id: unknown) =>
      this.#clear(id, (h) => sim.clearTimer(h));
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
    const refuseChannel = () => this.refuse("MessageChannel");
    v.set("MessageChannel", function MessageChannel() {
      if (!new.target) {
        throw new TypeError(
          "Failed to construct 'MessageChannel': Please use the 'new' operator",
        );
      }
      return sim.messageChannel() ?? refuseChannel();
    });
    v.set("AbortSignal", this.#abortSignal());
    if (apis.nextTick) {
      v.set("process", this.#process());
    }
    if (apis.setImmediate) {
      v.set("setImmediate", (fn: unknown, ...args: unknown[]) => {
        const { arm, cb } = this.#arm("setImmediate", fn, "");
        return this.#handle(sim.setImmediate(cb, args), arm);
      });
      v.set(
        "clearImmediate",
        (id: unknown) => this.#clear(id, (h) => sim.clearImmediate(h)),
      );
    }
    if (apis.requestAnimationFrame) {
      v.set("requestAnimationFrame", (fn: unknown) => {
        const { arm, cb } = this.#arm("requestAnimationFrame", fn, "");
        return this.#handle(sim.requestAnimationFrame(cb), arm);
      });
      v.set(
        "cancelAnimationFrame",
        (id: unknown) =>
          this.#clear(id, (h) => sim.cancelAnimationFrame(h as number)),
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
    const timeout = (ms: unknown) =>
      this.#sim.abortSignalTimeout(Number(ms)) ??
        this.refuse("AbortSignal.timeout");
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
    return {
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
      on: () => this.refuse("process events"),
      once: () => this.refuse("process events"),
      addListener: () => this.refuse("process events"),
    };
  }

  #scheduler(): Record<string, unknown> {
    const sim = this.#sim;
    return {
      postTask: (fn: unknown, options?: TaskOptions) => {
        if ((options?.priority ?? "user-visible") === "user-visible") {
          this.#visibleTasks++;
        }
        const { cb } = this.#arm(
          "postTask",
          fn,
          options?.priority === undefined ? "" : `(${options.priority})`,
        );
        return sim.postTask(cb, options ?? {});
      },
      yield: () => sim.yield() ?? this.refuse("scheduler.yield"),
    };
  }

  #promiseClass(): unknown {
    const sim = this.#sim;
    const resolved = (v: unknown) => sim.resolved(v);
    type Thenable = PromiseLike<unknown>;
    const iterate = (items: unknown): unknown[] => {
      if (
        items === null || items === undefined ||
        typeof (items as Iterable<unknown>)[Symbol.iterator] !== "function"
      ) {
        throw new TypeError(`${typeof items} is not iterable`);
      }
      return [...(items as Iterable<unknown>)];
    };
    // The Promise statics by ECMA-262's algorithms (PromiseResolve, then one
    // `then` per element), so their ticks match the real ones.
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
    const statics = {
      resolve: resolved,
      reject: (e: unknown) => sim.rejected(e),
      withResolvers: () => {
        let resolve: unknown, reject: unknown;
        const promise = sim.promise((res, rej) => {
          resolve = res;
          reject = rej;
        });
        return { promise, resolve, reject };
      },
      try: (fn: (...a: unknown[]) => unknown, ...args: unknown[]) =>
        sim.promise((res) => res(fn(...args))),
      all: (items: unknown) =>
        sim.promise((res, rej) => {
          const list = iterate(items);
          const values: unknown[] = new Array(list.length);
          let left = list.length + 1;
          list.forEach((item, i) => {
            (resolved(item) as Thenable).then((v) => {
              values[i] = v;
              if (--left === 0) res(values);
            }, rej);
          });
          if (--left === 0) res(values);
        }),
      allSettled: (items: unknown) =>
        sim.promise((res) => {
          const list = iterate(items);
          const values: unknown[] = new Array(list.length);
          let left = list.length + 1;
          const settle = (i: number, r: object) => {
            values[i] = r;
            if (--left === 0) res(values);
          };
          list.forEach((item, i) => {
            (resolved(item) as Thenable).then(
              (value) => settle(i, { status: "fulfilled", value }),
              (reason) => settle(i, { status: "rejected", reason }),
            );
          });
          if (--left === 0) res(values);
        }),
      race: (items: unknown) =>
        sim.promise((res, rej) => {
          for (const item of iterate(items)) {
            (resolved(item) as Thenable).then(res, rej);
          }
        }),
      any: (items: unknown) =>
        sim.promise((res, rej) => {
          const list = iterate(items);
          const errors: unknown[] = new Array(list.length);
          let left = list.length + 1;
          const fail = () => {
            if (--left === 0) {
              rej(new AggregateError(errors, "All promises were rejected"));
            }
          };
          list.forEach((item, i) => {
            (resolved(item) as Thenable).then(res, (e) => {
              errors[i] = e;
              fail();
            });
          });
          fail();
        }),
    };
    Object.assign(Promise, statics);
    Object.defineProperty(Promise, "prototype", {
      value: sim.promisePrototype,
    });
    return Promise;
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

function inspectName(v: unknown): string {
  return v === undefined
    ? "undefined"
    : v === null
    ? "null"
    : typeof v === "object"
    ? "#<Object>"
    : String(v);
}

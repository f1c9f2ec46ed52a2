/**
 * `VirtualClock.install()`: puts a clock's fakes over `globalThis` and puts
 * back exactly what was there (the same property descriptors, accessors
 * included). One clock at a time.
 *
 * @module
 */

import { InvalidStateError } from "../core/errors.ts";
import { assertOptions, typeError } from "../core/_validate.ts";
import { fakeDate } from "./_fake_date.ts";
import {
  type FakeableClock,
  hostHandlesAreObjects,
  HostTimers,
} from "./_host_timers.ts";
import { hostTurnFunctions, useHostTurnFunctions } from "./_macrotask_gate.ts";
import type { FakeableApi, InstallOptions } from "./virtual_clock.ts";

/** What `install` needs of the clock. */
export interface InstallableClock extends FakeableClock {
  /** Virtual wall time in epoch milliseconds. */
  dateNow(): number;
}

type Group =
  | "setTimeout"
  | "setInterval"
  | "setImmediate"
  | "requestAnimationFrame"
  | "Date"
  | "performance"
  | "AbortSignal.timeout";

const GROUPS: Record<FakeableApi, Group> = {
  setTimeout: "setTimeout",
  clearTimeout: "setTimeout",
  setInterval: "setInterval",
  clearInterval: "setInterval",
  setImmediate: "setImmediate",
  clearImmediate: "setImmediate",
  requestAnimationFrame: "requestAnimationFrame",
  cancelAnimationFrame: "requestAnimationFrame",
  Date: "Date",
  performance: "performance",
  "AbortSignal.timeout": "AbortSignal.timeout",
};

const PARTNERS: Partial<Record<Group, string>> = {
  setTimeout: "clearTimeout",
  setInterval: "clearInterval",
  setImmediate: "clearImmediate",
  requestAnimationFrame: "cancelAnimationFrame",
};

const PROMISIFY = Symbol.for("nodejs.util.promisify.custom");
const ACTION = "install the virtual clock";

// deno-lint-ignore no-explicit-any
type AnyFunction = (...args: any[]) => any;
type Host = Record<PropertyKey, unknown>;

/** Where a group lives: an object and a key. */
function locate(group: Group): [Host | undefined, PropertyKey] {
  const host = globalThis as unknown as Host;
  switch (group) {
    case "performance":
      return [host.performance as Host | undefined, "now"];
    case "AbortSignal.timeout":
      return [host.AbortSignal as Host | undefined, "timeout"];
    default:
      return [host, group];
  }
}

interface Swap {
  target: Host;
  key: PropertyKey;
  before: PropertyDescriptor | undefined;
}

let active: { site: Error } | undefined;

/** One install: {@linkcode Installation.restore} puts the host back. */
export class Installation {
  readonly #swaps: Swap[];
  #restored = false;

  constructor(swaps: Swap[]) {
    this.#swaps = swaps;
  }

  /** Puts back every replaced property, with its descriptor. Idempotent. */
  restore(): void {
    if (this.#restored) return;
    this.#restored = true;
    for (let i = this.#swaps.length - 1; i >= 0; i--) {
      const { target, key, before } = this.#swaps[i]!;
      if (before === undefined) delete target[key];
      else Object.defineProperty(target, key, before);
    }
    useHostTurnFunctions(undefined);
    active = undefined;
  }
}

/**
 * Installs `clock` over `globalThis`.
 *
 * @throws {InvalidStateError} When a clock is installed already.
 * @throws {TypeError} When `toFake` is not an array of fakeable APIs the
 *   host has.
 */
export function install(
  clock: InstallableClock,
  options: InstallOptions | undefined,
): Installation {
  if (active !== undefined) {
    throw new InvalidStateError(
      "Cannot install the virtual clock as another VirtualClock is installed: uninstall it (or dispose of it) first; the cause says where it was installed",
      { cause: active.site },
    );
  }
  const groups = groupsOf(options);
  const host = globalThis as unknown as Host;
  const original = (name: string): AnyFunction | undefined =>
    typeof host[name] === "function" ? host[name] as AnyFunction : undefined;
  const turns = hostTurnFunctions();
  const isDeno = typeof host.Deno === "object";
  const timers = new HostTimers(
    clock,
    hostHandlesAreObjects(original("setTimeout"), original("clearTimeout")),
    {
      clearTimeout: original("clearTimeout"),
      clearInterval: original("clearInterval"),
      clearImmediate: original("clearImmediate"),
      cancelAnimationFrame: original("cancelAnimationFrame"),
    },
    isDeno || typeof host.Bun === "object",
  );
  const functions = timers.functions();

  // Every value first, then every swap: nothing changes on a throw.
  const planned: [Host, PropertyKey, unknown, Group][] = [];
  for (const group of groups) {
    const [target, key] = locate(group);
    if (group === "Date") {
      const fake = fakeDate(
        host.Date as DateConstructor,
        () => clock.dateNow(),
      );
      planned.push([target!, key, fake, group]);
    } else if (group === "performance") {
      planned.push([target!, key, function now(): number {
        return clock.now();
      }, group]);
    } else if (group === "AbortSignal.timeout") {
      planned.push([target!, key, function timeout(ms: unknown) {
        return timers.abortSignalTimeout(ms);
      }, group]);
    } else {
      const partner = PARTNERS[group]!;
      const promisify = group === "setTimeout" || group === "setImmediate";
      const fake = like(functions[group]!, original(group), promisify);
      planned.push([target!, key, fake, group]);
      const clear = like(functions[partner]!, original(partner), false);
      planned.push([target!, partner, clear, group]);
    }
  }
  for (const [target, key, , group] of planned) {
    const before = Object.getOwnPropertyDescriptor(target, key);
    if (before?.configurable === false || !Object.isExtensible(target)) {
      typeError(ACTION, "toFake", "APIs the host lets replace", group);
    }
  }
  const swaps: Swap[] = [];
  for (const [target, key, value] of planned) {
    const before = Object.getOwnPropertyDescriptor(target, key);
    swaps.push({ target, key, before });
    Object.defineProperty(target, key, {
      value,
      writable: true,
      enumerable: before?.enumerable ?? true,
      configurable: true,
    });
  }
  useHostTurnFunctions(turns);
  active = { site: new Error("The VirtualClock was installed here") };
  return new Installation(swaps);
}

/** The groups to fake: validated `toFake`, or all the host has. */
function groupsOf(options: InstallOptions | undefined): Set<Group> {
  assertOptions(ACTION, options);
  const toFake = options?.toFake;
  const groups = new Set<Group>();
  if (toFake === undefined) {
    for (const group of new Set(Object.values(GROUPS))) {
      if (present(group)) groups.add(group);
    }
    return groups;
  }
  if (!Array.isArray(toFake)) {
    typeError(ACTION, "toFake", "an array of API names", toFake);
  }
  for (const name of toFake as readonly unknown[]) {
    const group = typeof name === "string" && Object.hasOwn(GROUPS, name)
      ? GROUPS[name as FakeableApi]
      : undefined;
    if (group === undefined) {
      typeError(
        ACTION,
        "toFake",
        `a list of ${Object.keys(GROUPS).join(", ")}`,
        name,
      );
    }
    if (!present(group)) {
      typeError(ACTION, "toFake", "APIs this host has", name);
    }
    groups.add(group);
  }
  return groups;
}

function present(group: Group): boolean {
  const [target, key] = locate(group);
  return target !== undefined && target !== null &&
    typeof target[key] === "function";
}

/**
 * Gives a fake the `name` and `length` of the host function it replaces,
 * and Node's `util.promisify` form where the host function has one.
 */
function like(
  fake: AnyFunction,
  host: AnyFunction | undefined,
  promisify: boolean,
): AnyFunction {
  if (host === undefined) return fake;
  for (const key of ["name", "length"]) {
    const descriptor = Object.getOwnPropertyDescriptor(host, key);
    if (descriptor !== undefined) Object.defineProperty(fake, key, descriptor);
  }
  if (promisify && PROMISIFY in host) {
    const promisified = fake.name === "setImmediate"
      ? (value?: unknown) => new Promise((r) => fake(r, value))
      : (ms?: unknown, value?: unknown) =>
        new Promise((r) => fake(r, ms, value));
    Object.defineProperty(fake, PROMISIFY, {
      value: promisified,
      configurable: true,
    });
  }
  return fake;
}

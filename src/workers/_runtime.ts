/**
 * What differs between runtimes, found at call time and never at import:
 * Node's built-in modules (loaded lazily, so a browser bundle never sees
 * them) and the number of cores.
 *
 * @module
 */

interface NodeProcess {
  getBuiltinModule?: (id: string) => unknown;
}

/**
 * A Node built-in module: synchronously through `process.getBuiltinModule`
 * (Node >= 20.16), else through a dynamic import whose specifier is not a
 * literal, so bundlers for the browser leave it alone.
 */
export function nodeBuiltin<T>(id: string): T | Promise<T> {
  const process = (globalThis as { process?: NodeProcess }).process;
  const get = process?.getBuiltinModule;
  if (typeof get === "function") {
    const found = get.call(process, id);
    if (found !== undefined) return found as T;
  }
  const specifier = id;
  return import(specifier) as Promise<T>;
}

/** The number of cores: `navigator.hardwareConcurrency` or Node's. */
export function availableCores(): number {
  const cores = (globalThis as { navigator?: { hardwareConcurrency?: number } })
    .navigator
    ?.hardwareConcurrency;
  if (typeof cores === "number" && cores >= 1) return cores;
  const process = (globalThis as { process?: NodeProcess }).process;
  if (typeof process?.getBuiltinModule === "function") {
    const os = process.getBuiltinModule("node:os") as
      | { availableParallelism?: () => number; cpus?: () => unknown[] }
      | undefined;
    const n = os?.availableParallelism?.() ?? os?.cpus?.().length;
    if (typeof n === "number" && n >= 1) return n;
  }
  return 1;
}

/** Whether the host has a Web `Worker` (Deno, Bun, browsers), not Node. */
export function hasWebWorker(): boolean {
  return typeof (globalThis as { Worker?: unknown }).Worker === "function";
}

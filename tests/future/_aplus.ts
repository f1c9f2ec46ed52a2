// Runs the Promises/A+ suite against an adapter (one run per test module:
// mocha keeps its loaded test files, so a second run in one module is empty).
import runAplus from "promises-aplus-tests";

export interface Deferred {
  promise: unknown;
  resolve(value: unknown): void;
  reject(reason: unknown): void;
}
export interface Adapter {
  deferred(): Deferred;
}

export async function failuresOf(
  adapter: Adapter,
  grep?: string,
): Promise<number> {
  const onRejection = (e: PromiseRejectionEvent) => e.preventDefault();
  globalThis.addEventListener("unhandledrejection", onRejection);
  try {
    return await new Promise<number>((resolve) =>
      runAplus(
        adapter,
        { reporter: "dot", ...(grep ? { grep } : {}) },
        (err: { failures?: number } | null) =>
          resolve(err ? (err.failures ?? -1) : 0),
      )
    );
  } finally {
    globalThis.removeEventListener("unhandledrejection", onRejection);
  }
}

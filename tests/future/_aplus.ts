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

/** What a run of the suite did: an empty run has `passed + failed === 0`. */
export interface AplusRun {
  passed: number;
  failed: number;
}

interface Runner {
  on(
    event: "pass" | "fail",
    listener: (test: { fullTitle(): string }, error?: unknown) => void,
  ): void;
}

/**
 * Runs the suite (or the tests matching `grep`); each test fails after
 * `timeoutMs` (mocha's default 2 s; a broken adapter fails by timing out).
 */
export async function runSuite(
  adapter: Adapter,
  grep?: string,
  timeoutMs = 2000,
): Promise<AplusRun> {
  const run: AplusRun = { passed: 0, failed: 0 };
  // A mocha reporter that counts the tests as they end.
  function Counter(runner: Runner) {
    runner.on("pass", () => run.passed++);
    runner.on("fail", (test, error) => {
      run.failed++;
      console.error(`Promises/A+ failed: ${test.fullTitle()}: ${error}`);
    });
  }
  const onRejection = (e: PromiseRejectionEvent) => e.preventDefault();
  globalThis.addEventListener("unhandledrejection", onRejection);
  try {
    await new Promise<void>((resolve) =>
      runAplus(
        adapter,
        { reporter: Counter, timeout: timeoutMs, ...(grep ? { grep } : {}) },
        () => resolve(),
      )
    );
  } finally {
    globalThis.removeEventListener("unhandledrejection", onRejection);
  }
  return run;
}

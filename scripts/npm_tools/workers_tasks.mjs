// The task module of the WorkerPool smoke test (scripts/npm_tools/
// workers_smoke.mjs): plain JavaScript, run in a worker by Node, Deno, Bun
// and headless Chromium.

export function add1(x) {
  return x + 1;
}

export function fail(message) {
  const error = new Error(message);
  error.name = "SmokeError";
  error.code = 7;
  throw error;
}

export function waitForAbort(_, { signal }) {
  return new Promise((_, reject) => {
    signal.addEventListener("abort", () => reject(signal.reason));
  });
}

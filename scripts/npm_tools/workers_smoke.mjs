// The WorkerPool smoke test: plain JavaScript, no imports, so the same file
// runs against the installed tarball under Node, Deno and Bun (through
// `import` and `require`, scripts/check_npm.ts) and against npm/esm in
// headless Chromium (scripts/browser_smoke.ts). `moduleUrl` is the URL of
// workers_tasks.mjs.

function check(ok, what) {
  if (!ok) throw new Error(`workers smoke: ${what}`);
}

/**
 * Runs tasks in real workers and closes the pool; resolves to a summary.
 * @param {any} WorkerPool
 * @param {string | URL} moduleUrl
 */
export async function smokeWorkers(WorkerPool, moduleUrl) {
  const pool = new WorkerPool({ module: moduleUrl, size: 2 });
  try {
    const sums = await Promise.all(
      Array.from({ length: 200 }, (_, i) => pool.run("add1", i)),
    );
    check(sums.every((s, i) => s === i + 1), "200 results in order");
    const error = await pool.run("fail", "nope").catch((e) => e);
    check(
      error instanceof Error && error.name === "SmokeError" &&
        error.message === "nope" && error.code === 7,
      "a task's error crosses with its name, message and fields",
    );
    const controller = new AbortController();
    const waiting = pool.run("waitForAbort", null, {
      signal: controller.signal,
    });
    const reason = new Error("stop");
    controller.abort(reason);
    check(
      (await waiting.then(() => undefined, (e) => e)) === reason,
      "an abort rejects with signal.reason",
    );
    check(pool.stats.completed === 200, "stats.completed");
  } finally {
    await pool.close();
  }
  check(pool.stats.workers === 0, "no worker left after close()");
  return `WorkerPool (${pool.stats.completed} tasks in workers)`;
}

/**
 * Every async API through its abort, timeout and rejection paths (the table
 * in `_unhandled_paths.mjs`, shared with the Node run of
 * `scripts/unhandled_check.mjs`): the caller receives each outcome, and no
 * rejection is left for the host to report as unhandled, nor any error
 * reported on a microtask.
 *
 * JavaScript, as the table it runs: the npm build compiles the `_test.ts`
 * files for Node, where scripts/unhandled_check.mjs runs the same table
 * under `--unhandled-rejections=strict` instead.
 *
 * @module
 */

import assert from "node:assert/strict";
import * as pledge from "../../mod.ts";
import { flush } from "../_support.ts";
import { LEAKY_PATH, paths } from "./_unhandled_paths.mjs";

/**
 * Runs `fn`, then lets timers and microtasks due now run, and returns what
 * the host reported meanwhile: unhandled rejections and uncaught errors
 * (each one prevented, so the test process survives it).
 */
async function reportedDuring(/** @type {() => Promise<void>} */ fn) {
  /** @type {string[]} */
  const reported = [];
  const onRejection = (/** @type {PromiseRejectionEvent} */ e) => {
    e.preventDefault();
    reported.push(`unhandled rejection: ${e.reason}`);
  };
  const onError = (/** @type {ErrorEvent} */ e) => {
    e.preventDefault();
    reported.push(`uncaught error: ${e.error}`);
  };
  globalThis.addEventListener("unhandledrejection", onRejection);
  globalThis.addEventListener("error", onError);
  try {
    await fn();
    for (let i = 0; i < 3; i++) await flush();
  } finally {
    globalThis.removeEventListener("unhandledrejection", onRejection);
    globalThis.removeEventListener("error", onError);
  }
  return reported;
}

Deno.test("the unhandled-rejection check catches a rejection nobody receives (negative control)", async () => {
  const reported = await reportedDuring(() => LEAKY_PATH.run(pledge));
  assert.deepEqual(reported, [
    "unhandled rejection: Error: nobody receives this",
  ]);
});

for (const { name, run } of paths()) {
  Deno.test(`${name}: the caller receives it, nothing is left unhandled`, async () => {
    assert.deepEqual(await reportedDuring(() => run(pledge)), []);
  });
}

import assert from "node:assert/strict";
import { type Adapter, type Deferred, runSuite } from "./_aplus.ts";

// A deliberately broken thenable: it calls handlers synchronously when
// already settled and never adopts thenables.
const brokenAdapter: Adapter = {
  deferred() {
    let state = 0;
    let value: unknown;
    const cbs: [unknown, unknown, Deferred][] = [];
    const run = (f: unknown, r: unknown, d: Deferred) => {
      const h = state === 1 ? f : r;
      if (typeof h !== "function") {
        return state === 1 ? d.resolve(value) : d.reject(value);
      }
      try {
        d.resolve(h(value));
      } catch (e) {
        d.reject(e);
      }
    };
    const settle = (s: number, v: unknown) => {
      if (state !== 0) return;
      state = s;
      value = v;
      for (const [f, r, d] of cbs) run(f, r, d);
    };
    const promise = {
      then(f: unknown, r: unknown) {
        const d = brokenAdapter.deferred();
        if (state === 0) cbs.push([f, r, d]);
        else run(f, r, d);
        return d.promise;
      },
    };
    return {
      promise,
      resolve: (v) => settle(1, v),
      reject: (e) => settle(2, e),
    };
  },
};

Deno.test({
  name: "the Promises/A+ harness fails a broken thenable",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    // Section 2.2.4 (handlers are called asynchronously) is enough to show
    // the harness reports failures; it keeps the run short. A test the
    // broken thenable fails mostly fails by timing out: 500 ms is well past
    // the suite's own waits (50 ms), and saves mocha's 2 s per failure.
    const run = await runSuite(brokenAdapter, "2.2.4", 500);
    assert.ok(run.failed > 0, `expected failures, got ${run.failed}`);
  },
});

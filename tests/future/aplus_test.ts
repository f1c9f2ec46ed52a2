import { Completer } from "../../src/future/completer.ts";
import { type Adapter, failuresOf } from "./_aplus.ts";

const futureAdapter: Adapter = {
  deferred() {
    const c = new Completer<unknown>();
    return {
      promise: c.future,
      resolve: (v) => c.tryResolve(v),
      reject: (e) => c.tryReject(e),
    };
  },
};

Deno.test({
  name: "Future passes the Promises/A+ 1.1 compliance suite (872 tests)",
  sanitizeOps: false, // mocha owns its timers
  sanitizeResources: false,
  async fn() {
    const failures = await failuresOf(futureAdapter);
    if (failures !== 0) {
      throw new Error(`Promises/A+: ${failures} failures`);
    }
  },
});

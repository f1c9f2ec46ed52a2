/**
 * The conformance corpus: small programs, each written twice: as plain
 * JavaScript for real runtimes (`source`, run by
 * scripts/record_loop_fixtures.ts under Node as .cjs and .mjs and under Deno)
 * and against the simulator's API (`sim`). Both log labels; the differential
 * test compares the simulator's log with the recorded ones.
 *
 * In `source`, `log` is `console.log`. In `sim`, `Promise.resolve(x)` is
 * `loop.resolved(x)`, `new Promise(f)` is `loop.promise(f)`, an async
 * function is `loop.async(function* () {})` with `yield` for `await`, a busy
 * wait on `Date.now()` is `loop.spend(ms)`, `new MessageChannel()` is
 * `loop.messageChannel()`, `AbortSignal.timeout(ms)` is
 * `loop.abortSignalTimeout(ms)`, `process.on("unhandledRejection")` (and
 * Deno's `unhandledrejection` event) is `loop.onUnhandledRejection`,
 * `process.on("uncaughtException")` (and Deno's `error` event) is
 * `loop.onError`. A process that exits with an error code logs
 * `exit <code>` last (the recorder adds it; the test adds it when a drive
 * of the simulator throws).
 *
 * @module
 */

import type { EventLoop } from "@pledge/core";

/** A runtime the recorder runs. */
export type Runtime = "node-cjs" | "node-esm" | "deno";

/** The runtimes, in fixture order. */
export const RUNTIMES: readonly Runtime[] = ["node-cjs", "node-esm", "deno"];

/** One program of the corpus. */
export interface Program {
  /** A file-name-safe name. */
  name: string;
  /** What it checks. */
  about: string;
  /** Plain JavaScript; `log` is defined by the recorder. */
  source: string;
  /**
   * Whether the recorder's prelude touches `process` at top level (so Deno
   * creates it before the loop starts).
   *
   * @default {true}
   */
  touchProcess?: boolean;
  /** The same program against the simulator. */
  sim(loop: EventLoop, log: (label: string) => void): void;
  /**
   * Callbacks a runtime leaves queued when its process ends (Node's unref'd
   * `AbortSignal.timeout` timers).
   *
   * @default {undefined}
   */
  leftQueued?: Partial<Record<Runtime, number>>;
  /**
   * Where a real runtime is nondeterministic (or depends on real elapsed
   * time): why, and the groups of labels whose relative order is
   * deterministic. Only those orders (and the set of labels) are compared.
   */
  races?: Partial<Record<Runtime, { why: string; groups: string[][] }>>;
}

export const corpus: Program[] = [
  {
    name: "classic_puzzle",
    about: "sync, then microtasks, then a 0 ms timer",
    source: `
setTimeout(() => log("1 timeout"), 0);
Promise.resolve().then(() => log("2 then"));
log("3 sync");`,
    sim(loop, log) {
      loop.setTimeout(() => log("1 timeout"), 0);
      loop.resolved().then(() => log("2 then"));
      log("3 sync");
    },
  },
  {
    name: "microtask_fifo",
    about:
      "queueMicrotask and then share one FIFO queue that drains what it queues",
    source: `
queueMicrotask(() => log("a"));
Promise.resolve().then(() => log("b"));
queueMicrotask(() => {
  log("c");
  queueMicrotask(() => log("e"));
  Promise.resolve().then(() => log("f"));
});
Promise.resolve().then(() => log("d"));`,
    sim(loop, log) {
      loop.queueMicrotask(() => log("a"));
      loop.resolved().then(() => log("b"));
      loop.queueMicrotask(() => {
        log("c");
        loop.queueMicrotask(() => log("e"));
        loop.resolved().then(() => log("f"));
      });
      loop.resolved().then(() => log("d"));
    },
  },
  {
    name: "timer_order",
    about: "timers by deadline, then arming order",
    source: `
setTimeout(() => log("a 30"), 30);
setTimeout(() => log("b 10"), 10);
setTimeout(() => log("c 10"), 10);
setTimeout(() => log("d 0"), 0);
setTimeout(() => log("e 20"), 20);`,
    sim(loop, log) {
      loop.setTimeout(() => log("a 30"), 30);
      loop.setTimeout(() => log("b 10"), 10);
      loop.setTimeout(() => log("c 10"), 10);
      loop.setTimeout(() => log("d 0"), 0);
      loop.setTimeout(() => log("e 20"), 20);
    },
  },
  {
    name: "checkpoint_per_timer",
    about: "a microtask checkpoint after each timer callback",
    source: `
setTimeout(() => {
  log("t1");
  Promise.resolve().then(() => log("p1"));
}, 0);
setTimeout(() => {
  log("t2");
  Promise.resolve().then(() => log("p2"));
}, 0);`,
    sim(loop, log) {
      loop.setTimeout(() => {
        log("t1");
        loop.resolved().then(() => log("p1"));
      }, 0);
      loop.setTimeout(() => {
        log("t2");
        loop.resolved().then(() => log("p2"));
      }, 0);
    },
  },
  {
    name: "microtasks_before_timer",
    about: "microtasks queued by microtasks run before a due timer",
    source: `
setTimeout(() => log("timer"), 0);
Promise.resolve().then(() => {
  log("p1");
  Promise.resolve().then(() => {
    log("p2");
    queueMicrotask(() => log("p3"));
  });
});`,
    sim(loop, log) {
      loop.setTimeout(() => log("timer"), 0);
      loop.resolved().then(() => {
        log("p1");
        loop.resolved().then(() => {
          log("p2");
          loop.queueMicrotask(() => log("p3"));
        });
      });
    },
  },
  {
    name: "interval_does_not_starve",
    about: "setInterval(0) re-arms with a new order, so setTimeout(0) runs",
    source: `
let n = 0;
const h = setInterval(() => {
  log("interval " + ++n);
  if (n === 3) clearInterval(h);
}, 0);
setTimeout(() => log("timeout"), 0);`,
    sim(loop, log) {
      let n = 0;
      const h = loop.setInterval(() => {
        log("interval " + ++n);
        if (n === 3) loop.clearInterval(h);
      }, 0);
      loop.setTimeout(() => log("timeout"), 0);
    },
  },
  {
    name: "interval_and_timeout",
    about: "an interval interleaves with a timeout by deadline",
    source: `
let n = 0;
const h = setInterval(() => {
  log("interval " + ++n);
  if (n === 3) clearInterval(h);
}, 30);
setTimeout(() => log("timeout 75"), 75);`,
    sim(loop, log) {
      let n = 0;
      const h = loop.setInterval(() => {
        log("interval " + ++n);
        if (n === 3) loop.clearInterval(h);
      }, 30);
      loop.setTimeout(() => log("timeout 75"), 75);
    },
  },
  {
    name: "interval_rearms_after_callback",
    about:
      "an interval re-arms after its callback: a timeout it armed for the same deadline runs first",
    source: `
let n = 0;
const h = setInterval(() => {
  log("interval " + ++n);
  if (n === 1) setTimeout(() => log("timeout"), 10);
  if (n === 2) clearInterval(h);
}, 10);`,
    sim(loop, log) {
      let n = 0;
      const h = loop.setInterval(() => {
        log("interval " + ++n);
        if (n === 1) loop.setTimeout(() => log("timeout"), 10);
        if (n === 2) loop.clearInterval(h);
      }, 10);
    },
  },
  {
    name: "tick_vs_promise_top_level",
    about: "CommonJS: nextTick before promise jobs; ESM: promise jobs first",
    source: `
process.nextTick(() => log("tick"));
Promise.resolve().then(() => log("then"));
queueMicrotask(() => log("microtask"));
log("sync");`,
    sim(loop, log) {
      loop.nextTick(() => log("tick"));
      loop.resolved().then(() => log("then"));
      loop.queueMicrotask(() => log("microtask"));
      log("sync");
    },
  },
  {
    name: "top_level_mix",
    about: "nextTick and promise jobs queuing each other at top level",
    source: `
process.nextTick(() => {
  log("tick1");
  Promise.resolve().then(() => log("then from tick1"));
  process.nextTick(() => log("tick from tick1"));
});
Promise.resolve().then(() => {
  log("then1");
  process.nextTick(() => log("tick from then1"));
  Promise.resolve().then(() => log("then from then1"));
});
process.nextTick(() => log("tick2"));`,
    sim(loop, log) {
      loop.nextTick(() => {
        log("tick1");
        loop.resolved().then(() => log("then from tick1"));
        loop.nextTick(() => log("tick from tick1"));
      });
      loop.resolved().then(() => {
        log("then1");
        loop.nextTick(() => log("tick from then1"));
        loop.resolved().then(() => log("then from then1"));
      });
      loop.nextTick(() => log("tick2"));
    },
  },
  {
    name: "tick_queue_drains_first",
    about: "in a callback, the whole nextTick queue runs before promise jobs",
    source: `
setTimeout(() => {
  Promise.resolve().then(() => log("then"));
  process.nextTick(() => {
    log("tick1");
    Promise.resolve().then(() => log("then from tick1"));
    process.nextTick(() => log("tick3"));
  });
  process.nextTick(() => log("tick2"));
}, 0);`,
    sim(loop, log) {
      loop.setTimeout(() => {
        loop.resolved().then(() => log("then"));
        loop.nextTick(() => {
          log("tick1");
          loop.resolved().then(() => log("then from tick1"));
          loop.nextTick(() => log("tick3"));
        });
        loop.nextTick(() => log("tick2"));
      }, 0);
    },
  },
  {
    name: "microtask_queues_tick",
    about:
      "a nextTick queued by a promise job runs after the microtask queue drains",
    source: `
setTimeout(() => {
  Promise.resolve().then(() => {
    log("then1");
    process.nextTick(() => log("tick"));
    Promise.resolve().then(() => log("then2"));
  });
}, 0);
setTimeout(() => log("next timer"), 0);`,
    sim(loop, log) {
      loop.setTimeout(() => {
        loop.resolved().then(() => {
          log("then1");
          loop.nextTick(() => log("tick"));
          loop.resolved().then(() => log("then2"));
        });
      }, 0);
      loop.setTimeout(() => log("next timer"), 0);
    },
  },
  {
    name: "immediate_vs_timeout_in_timer",
    about: "inside a timer callback, setImmediate beats setTimeout(0)",
    source: `
setTimeout(() => {
  setTimeout(() => log("timeout"), 0);
  setImmediate(() => log("immediate"));
}, 5);`,
    sim(loop, log) {
      loop.setTimeout(() => {
        loop.setTimeout(() => log("timeout"), 0);
        loop.setImmediate(() => log("immediate"));
      }, 5);
    },
  },
  {
    name: "immediates_next_turn",
    about:
      "immediates queued during the check phase wait for the next turn; a checkpoint after each",
    source: `
setTimeout(() => {
  setImmediate(() => {
    log("imm1");
    setImmediate(() => log("imm3"));
    Promise.resolve().then(() => log("imm1 then"));
    process.nextTick(() => log("imm1 tick"));
  });
  setImmediate(() => log("imm2"));
}, 2);`,
    sim(loop, log) {
      loop.setTimeout(() => {
        loop.setImmediate(() => {
          log("imm1");
          loop.setImmediate(() => log("imm3"));
          loop.resolved().then(() => log("imm1 then"));
          loop.nextTick(() => log("imm1 tick"));
        });
        loop.setImmediate(() => log("imm2"));
      }, 2);
    },
  },
  {
    name: "immediate_vs_timeout_top_level",
    about: "setImmediate vs setTimeout(0) at top level",
    source: `
setTimeout(() => log("timeout"), 0);
setImmediate(() => log("immediate"));
Promise.resolve().then(() => log("then"));`,
    sim(loop, log) {
      loop.setTimeout(() => log("timeout"), 0);
      loop.setImmediate(() => log("immediate"));
      loop.resolved().then(() => log("then"));
    },
    races: {
      "node-cjs": {
        why:
          "a CommonJS entry enters the timers phase first; whether the 1 ms timer has expired by then depends on real elapsed time",
        groups: [["then", "timeout"], ["then", "immediate"]],
      },
      "node-esm": {
        why:
          "the first check phase runs before the first timers phase, but whether the timer has expired depends on real time (the simulator's virtual time has not moved)",
        groups: [["then", "timeout"], ["then", "immediate"]],
      },
      "deno": {
        why:
          "whether the 1 ms timer has expired before the first check phase depends on real elapsed time",
        groups: [["then", "timeout"], ["then", "immediate"]],
      },
    },
  },
  {
    name: "mix_in_timer",
    about:
      "nextTick, promise jobs, timers and immediates from inside a timer callback",
    source: `
setTimeout(() => {
  log("start");
  process.nextTick(() => {
    log("tick1");
    Promise.resolve().then(() => log("then from tick1"));
    process.nextTick(() => log("tick from tick1"));
  });
  Promise.resolve().then(() => {
    log("then1");
    process.nextTick(() => log("tick from then1"));
  });
  setTimeout(() => {
    log("t1");
    Promise.resolve().then(() => log("t1 then"));
    process.nextTick(() => log("t1 tick"));
  }, 0);
  setTimeout(() => log("t2"), 0);
  setImmediate(() => {
    log("imm1");
    Promise.resolve().then(() => log("imm1 then"));
    process.nextTick(() => log("imm1 tick"));
  });
  setImmediate(() => log("imm2"));
}, 3);`,
    sim(loop, log) {
      loop.setTimeout(() => {
        log("start");
        loop.nextTick(() => {
          log("tick1");
          loop.resolved().then(() => log("then from tick1"));
          loop.nextTick(() => log("tick from tick1"));
        });
        loop.resolved().then(() => {
          log("then1");
          loop.nextTick(() => log("tick from then1"));
        });
        loop.setTimeout(() => {
          log("t1");
          loop.resolved().then(() => log("t1 then"));
          loop.nextTick(() => log("t1 tick"));
        }, 0);
        loop.setTimeout(() => log("t2"), 0);
        loop.setImmediate(() => {
          log("imm1");
          loop.resolved().then(() => log("imm1 then"));
          loop.nextTick(() => log("imm1 tick"));
        });
        loop.setImmediate(() => log("imm2"));
      }, 3);
    },
  },
  {
    name: "async_await_classic",
    about: "async functions, a promise constructor and a timer",
    source: `
async function a1() {
  log("a1 start");
  await a2();
  log("a1 end");
}
async function a2() {
  log("a2");
}
log("script start");
setTimeout(() => log("timeout"), 0);
a1();
new Promise((resolve) => {
  log("p1");
  resolve();
}).then(() => log("p2")).then(() => log("p3"));
log("script end");`,
    sim(loop, log) {
      // deno-lint-ignore require-yield
      const a2 = loop.async(function* () {
        log("a2");
      });
      const a1 = loop.async(function* () {
        log("a1 start");
        yield a2();
        log("a1 end");
      });
      log("script start");
      loop.setTimeout(() => log("timeout"), 0);
      a1();
      loop.promise<void>((resolve) => {
        log("p1");
        resolve();
      }).then(() => log("p2")).then(() => log("p3"));
      log("script end");
    },
  },
  {
    name: "await_thenable_ticks",
    about: "await of a value costs 1 tick, of a thenable 2",
    source: `
const thenable = { then(resolve) { resolve("x"); } };
(async () => { await thenable; log("after thenable"); })();
(async () => { await 1; log("after value"); })();
(async () => { await Promise.resolve(); log("after promise"); })();
Promise.resolve().then(() => log("t1")).then(() => log("t2")).then(() => log("t3"));`,
    sim(loop, log) {
      const thenable = {
        then(resolve: (v: string) => void) {
          resolve("x");
        },
      };
      loop.async(function* () {
        yield thenable;
        log("after thenable");
      })();
      loop.async(function* () {
        yield 1;
        log("after value");
      })();
      loop.async(function* () {
        yield loop.resolved();
        log("after promise");
      })();
      loop.resolved().then(() => log("t1")).then(() => log("t2")).then(() =>
        log("t3")
      );
    },
  },
  {
    name: "async_return_promise_ticks",
    about:
      "an async function returning a promise settles 3 ticks later, a value 1",
    source: `
async function f() { return Promise.resolve("r"); }
async function g() { return "v"; }
f().then(() => log("f done"));
g().then(() => log("g done"));
Promise.resolve().then(() => log("t1")).then(() => log("t2")).then(() => log("t3")).then(() => log("t4"));`,
    sim(loop, log) {
      // deno-lint-ignore require-yield
      const f = loop.async(function* () {
        return loop.resolved("r");
      });
      // deno-lint-ignore require-yield
      const g = loop.async(function* () {
        return "v";
      });
      f().then(() => log("f done"));
      g().then(() => log("g done"));
      loop.resolved().then(() => log("t1")).then(() => log("t2")).then(() =>
        log("t3")
      ).then(() => log("t4"));
    },
  },
  {
    name: "rejection_and_finally",
    about: "catch, finally and resolving with a promise cost extra ticks",
    source: `
Promise.reject(new Error("x")).catch(() => log("caught")).then(() => log("after catch"));
Promise.resolve(1).finally(() => log("finally")).then(() => log("after finally"));
new Promise((r) => r(Promise.resolve())).then(() => log("resolved with promise"));
Promise.resolve().then(() => log("t1")).then(() => log("t2")).then(() => log("t3")).then(() => log("t4")).then(() => log("t5"));`,
    sim(loop, log) {
      loop.rejected(new Error("x")).catch(() => log("caught")).then(() =>
        log("after catch")
      );
      loop.resolved(1).finally(() => log("finally")).then(() =>
        log("after finally")
      );
      loop.promise((r) => r(loop.resolved())).then(() =>
        log("resolved with promise")
      );
      loop.resolved().then(() => log("t1")).then(() => log("t2")).then(() =>
        log("t3")
      ).then(() => log("t4")).then(() => log("t5"));
    },
  },
  {
    name: "microtasks_starve_timer",
    about: "a chain of 10,000 microtasks runs before a due timer",
    source: `
setTimeout(() => log("timeout"), 0);
let n = 0;
const spin = () => { if (++n < 10000) queueMicrotask(spin); else log("spun " + n); };
queueMicrotask(spin);`,
    sim(loop, log) {
      loop.setTimeout(() => log("timeout"), 0);
      let n = 0;
      const spin = () => {
        if (++n < 10000) loop.queueMicrotask(spin);
        else log("spun " + n);
      };
      loop.queueMicrotask(spin);
    },
  },
  {
    name: "retry_backoff_with_interval",
    about:
      "an await-based retry with backoff interleaves with an interval by deadline",
    source: `
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
let n = 0;
const h = setInterval(() => {
  log("tick " + ++n);
  if (n === 4) clearInterval(h);
}, 100);
(async () => {
  for (let i = 1; i <= 3; i++) {
    log("attempt " + i);
    await sleep(40 * i);
  }
  log("gave up");
})();`,
    sim(loop, log) {
      const sleep = (ms: number) => loop.promise((r) => loop.setTimeout(r, ms));
      let n = 0;
      const h = loop.setInterval(() => {
        log("tick " + ++n);
        if (n === 4) loop.clearInterval(h);
      }, 100);
      loop.async(function* () {
        for (let i = 1; i <= 3; i++) {
          log("attempt " + i);
          yield sleep(40 * i);
        }
        log("gave up");
      })();
    },
  },
  {
    name: "nested_timeouts",
    about: "a chain of nested setTimeout(0) (no 4 ms clamp outside browsers)",
    source: `
let depth = 0;
const chain = () => {
  log("depth " + depth);
  if (++depth < 8) setTimeout(chain, 0);
};
setTimeout(chain, 0);
setTimeout(() => log("at 40"), 40);`,
    sim(loop, log) {
      let depth = 0;
      const chain = () => {
        log("depth " + depth);
        if (++depth < 8) loop.setTimeout(chain, 0);
      };
      loop.setTimeout(chain, 0);
      loop.setTimeout(() => log("at 40"), 40);
    },
  },
  {
    name: "cleared_timers",
    about:
      "a cleared timeout never runs; an interval cleared in its callback runs once",
    source: `
const a = setTimeout(() => log("never"), 20);
setTimeout(() => {
  log("clear at 10");
  clearTimeout(a);
}, 10);
const h = setInterval(() => {
  log("interval once");
  clearInterval(h);
}, 1);
const i = setImmediate(() => log("never immediate"));
clearImmediate(i);`,
    sim(loop, log) {
      const a = loop.setTimeout(() => log("never"), 20);
      loop.setTimeout(() => {
        log("clear at 10");
        loop.clearTimeout(a);
      }, 10);
      const h = loop.setInterval(() => {
        log("interval once");
        loop.clearInterval(h);
      }, 1);
      const i = loop.setImmediate(() => log("never immediate"));
      loop.clearImmediate(i);
    },
  },
  {
    name: "deno_lazy_process",
    about:
      "Deno creates process on first use: in that callback nextTick is ordered unlike Node",
    touchProcess: false,
    source: `
setTimeout(() => {
  Promise.resolve().then(() => log("a"));
  process.nextTick(() => log("tick"));
  Promise.resolve().then(() => log("b"));
}, 0);
setTimeout(() => {
  Promise.resolve().then(() => log("c"));
  process.nextTick(() => log("tick 2"));
}, 1);`,
    sim(loop, log) {
      loop.setTimeout(() => {
        loop.resolved().then(() => log("a"));
        loop.nextTick(() => log("tick"));
        loop.resolved().then(() => log("b"));
      }, 0);
      loop.setTimeout(() => {
        loop.resolved().then(() => log("c"));
        loop.nextTick(() => log("tick 2"));
      }, 1);
    },
    races: {
      deno: {
        why:
          "Deno 2.9 creates its process global lazily; in the callback that first touches it, nextTick callbacks are ordered among promise jobs (here after the first), not before them; afterwards Deno orders them as Node does. The simulator models the steady state",
        groups: [["a", "b", "c"], ["tick", "tick 2", "c"]],
      },
    },
  },
  {
    name: "busy_script",
    about:
      "a busy script blocks the loop: a timer due during it runs late, after the script's microtasks",
    source: `
const start = Date.now();
setTimeout(() => log("timeout 10"), 10);
Promise.resolve().then(() => log("then"));
while (Date.now() - start < 50) {
  // busy
}
setTimeout(() => log("timeout 5, armed after the busy loop"), 5);
log("script end");`,
    sim(loop, log) {
      loop.setTimeout(() => log("timeout 10"), 10);
      loop.resolved().then(() => log("then"));
      loop.spend(50);
      loop.setTimeout(() => log("timeout 5, armed after the busy loop"), 5);
      log("script end");
    },
  },
  {
    name: "busy_timer_vs_immediate",
    about:
      "a timer that falls due while a timer callback is busy waits for the next timers phase: the check phase comes first",
    source: `
setTimeout(() => {
  log("busy timer");
  setImmediate(() => log("immediate"));
  const start = Date.now();
  while (Date.now() - start < 30) {
    // busy
  }
}, 5);
setTimeout(() => log("timeout 10, due during the busy timer"), 10);`,
    sim(loop, log) {
      loop.setTimeout(() => {
        log("busy timer");
        loop.setImmediate(() => log("immediate"));
        loop.spend(30);
      }, 5);
      loop.setTimeout(() => log("timeout 10, due during the busy timer"), 10);
    },
    races: {
      "node-cjs": {
        why:
          "under a CommonJS entry the first timers phase can start late enough (real start-up time) that both timers are due in it",
        groups: [["busy timer", "immediate"], [
          "busy timer",
          "timeout 10, due during the busy timer",
        ]],
      },
    },
  },
  {
    name: "message_channel_phases",
    about:
      "MessageChannel: Node delivers in the poll phase (a checkpoint after each message), Deno in a later turn (nextTick after the batch)",
    source: `
const c = new MessageChannel();
let n = 0;
c.port1.onmessage = (e) => {
  log("message " + e.data);
  Promise.resolve().then(() => log("then in message " + e.data));
  process.nextTick(() => log("tick in message " + e.data));
  if (e.data === "b") c.port2.postMessage("from handler");
  if (++n === 4) c.port1.close();
};
setTimeout(() => {
  log("timer");
  c.port2.postMessage("a");
  setImmediate(() => log("immediate"));
  setTimeout(() => log("timeout 0"), 0);
  c.port2.postMessage("b");
  Promise.resolve().then(() => log("then"));
}, 5);
setTimeout(() => {
  setImmediate(() => {
    log("immediate 2");
    c.port2.postMessage("c");
    setImmediate(() => log("immediate 3"));
    setTimeout(() => log("timeout 0 b"), 0);
  });
}, 50);`,
    sim(loop, log) {
      const c = loop.messageChannel();
      let n = 0;
      c.port1.onmessage = (e) => {
        log("message " + e.data);
        loop.resolved().then(() => log("then in message " + e.data));
        loop.nextTick(() => log("tick in message " + e.data));
        if (e.data === "b") c.port2.postMessage("from handler");
        if (++n === 4) c.port1.close();
      };
      loop.setTimeout(() => {
        log("timer");
        c.port2.postMessage("a");
        loop.setImmediate(() => log("immediate"));
        loop.setTimeout(() => log("timeout 0"), 0);
        c.port2.postMessage("b");
        loop.resolved().then(() => log("then"));
      }, 5);
      loop.setTimeout(() => {
        loop.setImmediate(() => {
          log("immediate 2");
          c.port2.postMessage("c");
          loop.setImmediate(() => log("immediate 3"));
          loop.setTimeout(() => log("timeout 0 b"), 0);
        });
      }, 50);
    },
    races: {
      "node-cjs": {
        why:
          "whether the 1 ms timer armed by the second immediate is due in the next timers phase depends on real elapsed time",
        groups: [
          [
            "timer",
            "then",
            "message a",
            "tick in message a",
            "then in message a",
            "message b",
            "tick in message b",
            "then in message b",
            "message from handler",
            "tick in message from handler",
            "then in message from handler",
            "immediate",
            "timeout 0",
            "immediate 2",
            "message c",
            "tick in message c",
            "then in message c",
            "immediate 3",
          ],
          ["immediate 2", "timeout 0 b"],
        ],
      },
    },
  },
  {
    name: "message_ports_order",
    about:
      "two channels: Node drains port by port in creation order, Deno takes one message per port in turns",
    source: `
const A = new MessageChannel();
const B = new MessageChannel();
let n = 0;
const done = () => {
  if (++n === 4) {
    A.port1.close();
    B.port1.close();
  }
};
A.port1.onmessage = (e) => {
  log("A got " + e.data);
  done();
};
B.port1.onmessage = (e) => {
  log("B got " + e.data);
  done();
};
setTimeout(() => {
  B.port2.postMessage("b1");
  A.port2.postMessage("a1");
  Promise.resolve().then(() => B.port2.postMessage("b2 from then"));
  A.port2.postMessage("a2");
  setImmediate(() => log("immediate"));
}, 5);`,
    sim(loop, log) {
      const A = loop.messageChannel();
      const B = loop.messageChannel();
      let n = 0;
      const done = () => {
        if (++n === 4) {
          A.port1.close();
          B.port1.close();
        }
      };
      A.port1.onmessage = (e) => {
        log("A got " + e.data);
        done();
      };
      B.port1.onmessage = (e) => {
        log("B got " + e.data);
        done();
      };
      loop.setTimeout(() => {
        B.port2.postMessage("b1");
        A.port2.postMessage("a1");
        loop.resolved().then(() => B.port2.postMessage("b2 from then"));
        A.port2.postMessage("a2");
        loop.setImmediate(() => log("immediate"));
      }, 5);
    },
  },
  {
    name: "abort_timeout_with_timers",
    about:
      "AbortSignal.timeout runs among timers of the same deadline in arming order, a checkpoint after each",
    source: `
setTimeout(() => {
  setTimeout(() => log("timeout a"), 20);
  AbortSignal.timeout(20).onabort = () => {
    log("abort 1");
    Promise.resolve().then(() => log("then in abort 1"));
    process.nextTick(() => log("tick in abort 1"));
  };
  setTimeout(() => log("timeout b"), 20);
  AbortSignal.timeout(20).addEventListener("abort", (e) => log("abort 2 " + e.target.reason.name));
  setTimeout(() => log("timeout c"), 20);
  setImmediate(() => log("immediate"));
}, 5);`,
    sim(loop, log) {
      loop.setTimeout(() => {
        loop.setTimeout(() => log("timeout a"), 20);
        loop.abortSignalTimeout(20).onabort = () => {
          log("abort 1");
          loop.resolved().then(() => log("then in abort 1"));
          loop.nextTick(() => log("tick in abort 1"));
        };
        loop.setTimeout(() => log("timeout b"), 20);
        loop.abortSignalTimeout(20).addEventListener(
          "abort",
          (e) =>
            log(
              "abort 2 " +
                ((e.target as AbortSignal).reason as DOMException).name,
            ),
        );
        loop.setTimeout(() => log("timeout c"), 20);
        loop.setImmediate(() => log("immediate"));
      }, 5);
    },
  },
  {
    name: "abort_timeout_alone",
    about:
      "AbortSignal.timeout alone: Node's timer is unref'd and the process exits first; Deno's keeps it running",
    source: `
AbortSignal.timeout(100).onabort = () => log("abort alone");
log("script end");`,
    sim(loop, log) {
      loop.abortSignalTimeout(100).onabort = () => log("abort alone");
      log("script end");
    },
    leftQueued: { "node-cjs": 1, "node-esm": 1 },
  },
  {
    name: "unhandled_rejection_listener",
    about:
      "an unhandled rejection reaches the listener after the checkpoint (nextTick and microtasks first); one handled in time is not reported",
    source: `
const onRejection = (reason) => {
  log("unhandled " + reason);
  Promise.resolve().then(() => log("micro after listener"));
  process.nextTick(() => log("tick after listener"));
};
if (typeof Deno === "undefined") process.on("unhandledRejection", onRejection);
else {
  globalThis.addEventListener("unhandledrejection", (e) => {
    e.preventDefault();
    onRejection(e.reason);
  });
}
setTimeout(() => {
  log("timer");
  setImmediate(() => log("immediate"));
  Promise.reject("r1");
  const p = Promise.reject("r2");
  Promise.resolve().then(() => log("then"));
  process.nextTick(() => log("tick"));
  Promise.resolve().then(() => Promise.resolve()).then(() => {
    p.catch(() => log("caught r2"));
  });
}, 5);
setTimeout(() => log("timer 20"), 20);`,
    sim(loop, log) {
      const onRejection = (reason: unknown) => {
        log("unhandled " + reason);
        loop.resolved().then(() => log("micro after listener"));
        loop.nextTick(() => log("tick after listener"));
      };
      loop.onUnhandledRejection((e) => {
        e.preventDefault();
        onRejection(e.error);
      });
      loop.setTimeout(() => {
        log("timer");
        loop.setImmediate(() => log("immediate"));
        loop.rejected("r1");
        const p = loop.rejected("r2");
        loop.resolved().then(() => log("then"));
        loop.nextTick(() => log("tick"));
        loop.resolved().then(() => loop.resolved()).then(() => {
          p.catch(() => log("caught r2"));
        });
      }, 5);
      loop.setTimeout(() => log("timer 20"), 20);
    },
  },
  {
    name: "unhandled_rejection_crash",
    about:
      "with no listener an unhandled rejection crashes the process after the checkpoint",
    source: `
setTimeout(() => {
  log("timer");
  Promise.reject(new Error("lost"));
  Promise.resolve().then(() => log("then"));
  process.nextTick(() => log("tick"));
  setImmediate(() => log("never: immediate"));
}, 5);
setTimeout(() => log("never: timer 20"), 20);`,
    sim(loop, log) {
      loop.setTimeout(() => {
        log("timer");
        loop.rejected(new Error("lost"));
        loop.resolved().then(() => log("then"));
        loop.nextTick(() => log("tick"));
        loop.setImmediate(() => log("never: immediate"));
      }, 5);
      loop.setTimeout(() => log("never: timer 20"), 20);
    },
  },
  {
    name: "throwing_callback_crash",
    about:
      "a throwing timer callback crashes the process at once: not even its microtasks run",
    source: `
setTimeout(() => log("t1"), 5);
setTimeout(() => {
  log("t2 throws");
  Promise.resolve().then(() => log("never: then"));
  process.nextTick(() => log("never: tick"));
  throw new Error("boom");
}, 5);
setTimeout(() => log("never: t3"), 5);`,
    sim(loop, log) {
      loop.setTimeout(() => log("t1"), 5);
      loop.setTimeout(() => {
        log("t2 throws");
        loop.resolved().then(() => log("never: then"));
        loop.nextTick(() => log("never: tick"));
        throw new Error("boom");
      }, 5);
      loop.setTimeout(() => log("never: t3"), 5);
    },
  },
  {
    name: "uncaught_exception_listener",
    about:
      "a listener keeps the process alive after a throwing callback (process.on uncaughtException, Deno's error event)",
    source: `
const onError = (error) => {
  log("handled " + error.message);
  Promise.resolve().then(() => log("micro after handler"));
};
if (typeof Deno === "undefined") process.on("uncaughtException", onError);
else {
  globalThis.addEventListener("error", (e) => {
    e.preventDefault();
    onError(e.error);
  });
}
setTimeout(() => {
  log("t1 throws");
  throw new Error("boom");
}, 5);
setTimeout(() => log("t2"), 10);`,
    sim(loop, log) {
      const onError = (error: Error) => {
        log("handled " + error.message);
        loop.resolved().then(() => log("micro after handler"));
      };
      loop.onError((e) => {
        e.preventDefault();
        onError(e.error as Error);
      });
      loop.setTimeout(() => {
        log("t1 throws");
        throw new Error("boom");
      }, 5);
      loop.setTimeout(() => log("t2"), 10);
    },
  },
  {
    name: "delay_conversion",
    about:
      "delays are converted to numbers: strings, NaN, objects; 2^32+30 overflows to 1 ms in Node and Deno",
    source: `
setTimeout(() => log("'60'"), "60");
setTimeout(() => log("'x'"), "x");
setTimeout(() => log("2 ** 32 + 30"), 2 ** 32 + 30);
setTimeout(() => log("10"), 10);
setTimeout(() => log("valueOf 30"), { valueOf: () => 30 });
setTimeout(() => log("NaN"), NaN);`,
    sim(loop, log) {
      loop.setTimeout(() => log("'60'"), "60" as never);
      loop.setTimeout(() => log("'x'"), "x" as never);
      loop.setTimeout(() => log("2 ** 32 + 30"), 2 ** 32 + 30);
      loop.setTimeout(() => log("10"), 10);
      loop.setTimeout(() => log("valueOf 30"), { valueOf: () => 30 } as never);
      loop.setTimeout(() => log("NaN"), NaN);
    },
  },
];

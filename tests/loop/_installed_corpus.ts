/**
 * The differential corpus of the installed clock: small programs in plain
 * JavaScript that use native promises, `async`/`await`, timers and `Date`
 * the way application code does. scripts/record_installed.ts runs each for
 * real under Node (as CommonJS and as an ES module), Deno and Bun and saves
 * what it logs in tests/loop/fixtures/installed/recorded.ts; install_test.ts
 * runs the same source text under `VirtualClock.install()` and the async
 * drivers, and compares.
 *
 * Each program logs through `log(label)` (the recorder defines it as
 * `console.log`). None uses `process.nextTick` or `setImmediate` at top
 * level, where CommonJS and ES module entries order them differently.
 * Real time is real: a runtime's first timer can fire 15 ms late, a loaded
 * machine stalls a callback by 10 ms, and two timers armed in different
 * callbacks "for the same time" land on different milliseconds. So timers
 * due together are armed in one block with one delay (one Node timer list,
 * first in first out), and other deadlines are 25 ms or more apart.
 *
 * @module
 */

/** A runtime the recorder runs. */
export type InstalledRuntime = "node-cjs" | "node-esm" | "deno" | "bun";

/** What one runtime logged, over every run. */
export interface RuntimeResult {
  /** The output most runs logged. */
  majority: string[];
  /** Whether every run logged the same. */
  stable: boolean;
  /** Each output seen and how often, when the runs disagreed. */
  variants?: { count: number; output: string[] }[];
}

/** The recorded outputs of one program. */
export interface Recording {
  /** The source it ran (the corpus must still hold it). */
  source: string;
  /** The runtime versions and the runs per runtime. */
  recordedWith: Record<string, string | number>;
  /** What each runtime logged. */
  results: Partial<Record<InstalledRuntime, RuntimeResult>>;
}

/**
 * The host APIs both the installed clock and @sinonjs/fake-timers fake when
 * compared (fake-timers' `toFake` names): timers and `Date`.
 */
export const TIMERS_AND_DATE = [
  "setTimeout",
  "clearTimeout",
  "setInterval",
  "clearInterval",
  "setImmediate",
  "clearImmediate",
  "Date",
  "performance",
] as const;

/** One program of the corpus. */
export interface InstalledProgram {
  /** A file-name-safe name. */
  name: string;
  /** What it checks, and what fakes tend to get wrong there. */
  about: string;
  /** Plain JavaScript, run as a script body with `log` in scope. */
  source: string;
  /**
   * Whether it needs Node-shaped timer handles (`refresh`, `unref`), which
   * Node, Deno 2.9 and Bun have and browsers do not.
   *
   * @default {false}
   */
  timeoutObjects?: boolean;
}

export const installedCorpus: InstalledProgram[] = [
  {
    name: "checkpoint_between_timers",
    about:
      "two timers due together: every microtask the first queues (then, queueMicrotask, an async function two awaits deep) runs before the second",
    source: `
setTimeout(() => {
  log("t1");
  Promise.resolve().then(() => log("t1 then"));
  queueMicrotask(() => log("t1 queueMicrotask"));
  (async () => {
    await null;
    await null;
    log("t1 async, two awaits later");
  })();
}, 10);
setTimeout(() => log("t2"), 10);`,
  },
  {
    name: "next_tick_between_timers",
    about:
      "inside timer callbacks process.nextTick runs before promise jobs, and both before the next timer due at the same time",
    source: `
setTimeout(() => {
  log("t1");
  Promise.resolve().then(() => log("t1 then"));
  process.nextTick(() => log("t1 nextTick"));
  queueMicrotask(() => {
    log("t1 queueMicrotask");
    process.nextTick(() => log("t1 queueMicrotask -> nextTick"));
  });
}, 5);
setTimeout(() => {
  log("t2");
  Promise.resolve().then(() => log("t2 then"));
  process.nextTick(() => log("t2 nextTick"));
}, 5);
setTimeout(() => log("t3"), 5);`,
  },
  {
    name: "interval_zero_vs_timeouts",
    about:
      "setInterval(fn, 0) is a 1 ms interval that re-arms behind the timeouts already queued, not ahead of them",
    source: `
let n = 0;
const h = setInterval(() => {
  log("interval " + ++n);
  if (n === 3) clearInterval(h);
}, 0);
setTimeout(() => log("timeout 0 a"), 0);
setTimeout(() => {
  log("timeout 0 b");
  setTimeout(() => log("timeout armed by b"), 0);
}, 0);
setTimeout(() => log("timeout 1"), 1);`,
  },
  {
    name: "retry_backoff_vs_interval",
    about:
      "an await-based retry with exponential backoff (50, 100, 200 ms) against a 100 ms interval, each failure handled in microtasks",
    source: `
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
let ticks = 0;
const h = setInterval(() => {
  log("tick " + ++ticks);
  if (ticks === 4) clearInterval(h);
}, 100);
(async () => {
  for (let attempt = 1; attempt <= 4; attempt++) {
    log("attempt " + attempt);
    try {
      await Promise.reject(new Error("flaky"));
    } catch {
      log("attempt " + attempt + " failed");
    }
    await sleep(50 * 2 ** (attempt - 1));
  }
  log("gave up");
})();`,
  },
  {
    name: "timers_from_continuation",
    about:
      "timers armed by a promise continuation of a timer callback queue behind the timers that callback armed with the same delay",
    source: `
setTimeout(() => {
  log("outer");
  Promise.resolve().then(() => {
    log("outer then");
    setTimeout(() => log("armed by the continuation, 0 ms"), 0);
    setTimeout(() => log("armed by the continuation, 30 ms"), 30);
  });
  setTimeout(() => log("armed by the callback, 30 ms"), 30);
  setTimeout(() => log("armed by the callback, 0 ms"), 0);
}, 10);
setTimeout(() => log("older timer at 100 ms"), 100);`,
  },
  {
    name: "timer_awaits_before_rearm",
    about:
      "a poller that awaits before re-arming keeps its place ahead of an interval of the same period",
    source: `
let polls = 0;
const work = async () => {
  await null;
  await null;
};
async function poll() {
  log("poll " + ++polls);
  await work();
  if (polls < 4) setTimeout(poll, 10);
}
setTimeout(poll, 10);
let ticks = 0;
const h = setInterval(() => {
  log("interval " + ++ticks);
  if (ticks === 4) clearInterval(h);
}, 10);`,
  },
  {
    name: "interval_rearms_after_callback",
    about:
      "an interval re-arms when its callback returns, behind a timeout the callback armed for the same time",
    source: `
let n = 0;
const h = setInterval(() => {
  const mine = ++n;
  log("interval " + mine);
  setTimeout(() => log("timeout armed by interval " + mine), 10);
  if (mine === 3) clearInterval(h);
}, 10);`,
  },
  {
    name: "async_interval_callback",
    about:
      "an async interval callback that sleeps longer than the period overlaps the next runs",
    source: `
let n = 0;
const h = setInterval(async () => {
  const mine = ++n;
  log("start " + mine);
  await new Promise((resolve) => setTimeout(resolve, 150));
  log("end " + mine);
  if (mine === 3) clearInterval(h);
}, 100);`,
  },
  {
    name: "deep_await_chain_then_timer",
    about:
      "a timer callback 100 awaits deep arms a timer; the timer due at the same time as the callback waits for the whole chain",
    source: `
setTimeout(async () => {
  log("first");
  for (let i = 0; i < 100; i++) await null;
  log("first, 100 awaits later");
  setTimeout(() => log("armed 100 awaits later"), 0);
}, 10);
setTimeout(() => log("second, due with the first"), 10);
setTimeout(() => log("third, due 1 ms later"), 11);`,
  },
  {
    name: "sleep_loop_vs_timeouts",
    about: "an await sleep loop interleaves with timeouts armed up front",
    source: `
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
(async () => {
  for (let i = 1; i <= 3; i++) {
    await sleep(100);
    log("loop " + i);
  }
})();
setTimeout(() => log("timeout 150"), 150);
setTimeout(() => log("timeout 250"), 250);`,
  },
  {
    name: "promise_combinators_over_sleeps",
    about:
      "Promise.race, all and any over sleeps settle, with their continuations, before a timer due at the same time",
    source: `
const sleep = (ms, value) =>
  new Promise((resolve) => setTimeout(() => resolve(value), ms));
Promise.race([sleep(30, "slow"), sleep(10, "fast")])
  .then((v) => log("race " + v));
Promise.all([sleep(20, "a"), sleep(5, "b")])
  .then((v) => log("all " + v.join(",")));
Promise.any([Promise.reject(new Error("no")), sleep(15, "yes")])
  .then((v) => log("any " + v));
setTimeout(() => log("timeout 20"), 20);`,
  },
  {
    name: "delay_coercion",
    about:
      "0, NaN, negative and string delays: Node and Deno make anything below 1 ms 1 ms and convert strings; extra arguments reach the callback",
    source: `
setTimeout(() => log("1 ms"), 1);
setTimeout(() => log("0 ms"), 0);
setTimeout(() => log("NaN ms"), NaN);
setTimeout(() => log("-5 ms"), -5);
setTimeout(() => log("no delay"));
setTimeout(() => log("'2' ms"), "2");
setTimeout(() => log("2 ms"), 2);
setTimeout((a, b) => log("arguments " + a + " " + b), 3, "x", "y");`,
  },
  {
    name: "date_now_progress",
    about:
      "Date.now(), new Date() and performance.now() move with the timers; every other use of Date is untouched",
    source: `
const t0 = Date.now();
const p0 = performance.now();
log("new Date() instanceof Date " + (new Date() instanceof Date));
setTimeout(() => {
  const elapsed = Date.now() - t0;
  log("after 100 ms, Date.now() moved 99 to 999 ms: " + (elapsed >= 99 && elapsed < 1000));
  log("new Date() agrees with Date.now(): " + (Math.abs(new Date().getTime() - Date.now()) < 5));
  log("performance.now() moved 99 ms or more: " + (performance.now() - p0 >= 99));
  log("new Date(0): " + new Date(0).toISOString());
  log("Date.UTC: " + Date.UTC(2020, 0, 1));
  log("Date.parse: " + Date.parse("2020-01-01T00:00:00Z"));
  log("Date() is a string: " + (typeof Date() === "string"));
  setTimeout(() => {
    const more = Date.now() - t0;
    log("after 150 ms more, Date.now() moved 249 to 999 ms: " + (more >= 249 && more < 1000));
  }, 150);
}, 100);`,
  },
  {
    name: "abort_signal_timeout",
    about:
      "AbortSignal.timeout aborts with a TimeoutError between the timers around its deadline",
    source: `
const signal = AbortSignal.timeout(100);
signal.addEventListener("abort", () => log("aborted: " + signal.reason.name));
setTimeout(() => log("at 70 ms aborted: " + signal.aborted), 70);
setTimeout(() => log("at 130 ms aborted: " + signal.aborted), 130);`,
  },
  {
    name: "clear_from_another_timer",
    about:
      "clearTimeout clears a timeout and an interval (either clear function clears both kinds)",
    source: `
const a = setTimeout(() => log("a: cleared, must not run"), 300);
const b = setInterval(() => log("b: interval"), 100);
setTimeout(() => {
  clearTimeout(b);
  clearInterval(a);
  log("cleared both");
}, 250);
setTimeout(() => log("end"), 400);`,
  },
  {
    name: "immediate_vs_timeout_in_timer",
    about:
      "inside a timer callback: promise jobs, then setImmediate (check phase), then a 0 ms timeout",
    source: `
setTimeout(() => {
  setTimeout(() => log("timeout 0"), 0);
  setImmediate(() => log("immediate"));
  Promise.resolve().then(() => log("then"));
  log("timer");
}, 5);`,
  },
  {
    name: "timeout_refresh_and_ref",
    about:
      "Node-shaped handles: refresh() re-arms a timeout for its full delay from now; unref and ref toggle hasRef()",
    timeoutObjects: true,
    source: `
const t = setTimeout(() => log("refreshed timer fired"), 100);
log("hasRef " + t.hasRef());
t.unref();
log("after unref " + t.hasRef());
t.ref();
setTimeout(() => {
  log("refresh at 60");
  t.refresh();
}, 60);
setTimeout(() => log("timer at 130"), 130);
setTimeout(() => log("timer at 200"), 200);`,
  },
];

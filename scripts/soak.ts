/**
 * Soak test: churns every time-based and queue-based API through
 * schedule-and-cancel and submit-and-abort, far-future work on the system
 * clock, `CYCLES` cycles each (1e5 by default), and prints the heap each
 * cycle leaves behind. Exits with 1 when an API keeps more than
 * `LIMIT_BYTES` per cycle.
 *
 * Run: `deno run -A --v8-flags=--expose-gc scripts/soak.ts [name...]`
 * (without the flag it re-runs itself with it; names filter the table by
 * substring). It uses only `globalThis.gc`, timers, and `Deno.memoryUsage`
 * or Node's `process.memoryUsage`, so the npm build can run the same module
 * under `node --expose-gc`.
 *
 * Two measures per API, both after a forced GC:
 * - `burst`: right after the cycles, before anything else runs. A cycle of
 *   a synchronous churn (schedule then cancel, with nothing awaited) must
 *   keep nothing even then: no job queued on a microtask, no rejection
 *   tracked, no timer entry left for the deadline.
 * - `settled`: after the host has run its timers and microtasks: what stays
 *   for good (a listener on a long-lived signal, a reaction on a long-lived
 *   future, a waiter in a list).
 *
 * The limit, 64 bytes per cycle (6.4 MB over 1e5 cycles), sits an order of
 * magnitude above the noise of the measure (a few bytes per cycle: V8's
 * heap bookkeeping and tables grown once) and below the smallest thing a
 * leaking cycle keeps (a heap entry with its callback is about 100 bytes, a
 * pending future 56, an abort listener record over 100, a cancelled task
 * with its `DOMException` about 1 KB).
 *
 * To add an API, add a row to `CHURNS` (one section per area): a `setup`
 * that builds what lives across cycles (a pool, a long-lived signal) and
 * returns the `cycle` (and a `release` for what it built), with
 * `async: true` when a cycle must await (a caller that handles a rejection
 * attaches a reaction, which runs on a microtask). `abortEach(start)` makes
 * the usual submit-and-abort cycle.
 *
 * @module
 */

import {
  abortable,
  all,
  any,
  anySignal,
  Bulkhead,
  CancellationTokenSource,
  CircuitBreaker,
  Completer,
  debounce,
  delay,
  DelayedExecutor,
  EventLoop,
  hedgePolicy,
  mapConcurrent,
  mapConcurrentIterable,
  MemoryStore,
  pipeline,
  PooledExecutor,
  PriorityScheduler,
  race,
  RateLimiter,
  retry,
  RetryBudget,
  sequence,
  throttle,
  timeout,
  timeoutPolicy,
  timeoutSignal,
  VirtualClock,
  WorkerPool,
} from "../mod.ts";

/** One cycle, and what to release once the measure is done. */
export interface Soaked {
  cycle(i: number): void | Promise<void>;
  release?(): void;
}

/** One API churned by the soak test. */
export interface Churn {
  /** `<area>: <what a cycle does>`. */
  name: string;
  /** Whether a cycle returns a promise to await before the next one. */
  async?: boolean;
  /** Builds what lives across cycles (a pool, a long-lived signal). */
  setup(): Soaked;
}

const FAR = 1e9; // far-future work: nothing is due while the soak runs
const noop = (): void => {};
/** Work that never settles (until its caller gives up on it). */
const never = (): Promise<never> => new Promise<never>(noop);
const failure = new Error("soak: a failure");
/**
 * Work that honours its signal, as a policy that only passes the caller's
 * signal on (the breaker, the bulkhead) needs.
 */
const honour = ({ signal }: { signal: AbortSignal }): Promise<never> =>
  new Promise<never>((_, reject) =>
    signal.addEventListener("abort", () => reject(signal.reason), {
      once: true,
    })
  );

/**
 * A cycle that starts work with a fresh signal, aborts it at once, and
 * handles the rejection as a caller would.
 */
function abortEach(
  start: (signal: AbortSignal) => PromiseLike<unknown>,
): Soaked["cycle"] {
  return async () => {
    const controller = new AbortController();
    const work = start(controller.signal);
    controller.abort();
    await Promise.resolve(work).catch(noop);
  };
}

/**
 * `abortEach` over work that waits on one long-lived future (a shutdown
 * future shared by every request): `start` gets that future and returns
 * what starts the work; the future is resolved once the measure is done.
 */
function abortEachOn(
  start: (
    longLived: PromiseLike<void>,
  ) => (signal: AbortSignal) => PromiseLike<unknown>,
): Soaked {
  const longLived = new Completer<void>();
  return {
    cycle: abortEach(start(longLived.future)),
    release: () => longLived.resolve(),
  };
}

/** A breaker's call that succeeds, one that fails, one aborted. */
function breakerCycle(breaker: CircuitBreaker): Soaked["cycle"] {
  const aborted = abortEach((signal) => breaker.execute(honour, { signal }));
  return async (i) => {
    await breaker.execute(() => i);
    await breaker.execute(() => Promise.reject(failure)).catch(noop);
    await aborted(i);
  };
}

/** A pool of one slot, held until `release()`. */
function busyPool(): { pool: PooledExecutor; release(): void } {
  const pool = new PooledExecutor({ concurrency: 1 });
  const gate = new Completer<void>();
  pool.submit(() => gate.future);
  return { pool, release: () => gate.resolve() };
}

/** The APIs, one section per area. */
export const CHURNS: Churn[] = [
  // --- future
  {
    name: "future: Future.wait({ timeoutMs }) on a future that settles",
    async: true,
    setup: () => ({
      async cycle() {
        const completer = new Completer<number>();
        const waited = completer.future.wait({ timeoutMs: FAR });
        completer.resolve(1);
        await waited;
      },
    }),
  },
  {
    name: "future: long-lived Future.wait({ timeoutMs, signal }) aborted",
    async: true,
    setup() {
      const longLived = new Completer<number>();
      return {
        cycle: abortEach((signal) =>
          longLived.future.wait({ timeoutMs: FAR, signal })
        ),
      };
    },
  },

  // --- cancel
  {
    name: "cancel: delay(far, { signal }) aborted",
    async: true,
    setup: () => ({ cycle: abortEach((signal) => delay(FAR, { signal })) }),
  },
  {
    name: "cancel: timeoutSignal(far) disposed",
    setup: () => ({ cycle: () => timeoutSignal(FAR)[Symbol.dispose]() }),
  },
  {
    name: "cancel: CancellationTokenSource.cancelAfter(far) disposed",
    setup: () => ({
      cycle() {
        using source = new CancellationTokenSource();
        source.cancelAfter(FAR);
      },
    }),
  },
  {
    name: "cancel: linked(long-lived token, signal) + register, disposed",
    setup() {
      const app = new CancellationTokenSource();
      const request = new AbortController();
      return {
        cycle() {
          using op = CancellationTokenSource.linked(app.token, request.signal);
          op.token.register(noop);
        },
        release: () => app[Symbol.dispose](),
      };
    },
  },
  {
    name: "cancel: anySignal([long-lived, timeoutSignal(far)]) disposed",
    setup() {
      const app = new AbortController();
      return {
        cycle() {
          using timeout = timeoutSignal(FAR);
          using signal = anySignal([app.signal, timeout]);
          signal.addEventListener("abort", noop);
        },
      };
    },
  },
  {
    name: "cancel: abortable(long-lived future, signal) aborted",
    async: true,
    setup() {
      const longLived = new Completer<number>();
      return {
        cycle: abortEach((signal) => abortable(longLived.future, signal)),
      };
    },
  },

  // --- executors
  {
    name: "executors: PooledExecutor.submit({ timeoutMs: far }) settled",
    setup() {
      const pool = new PooledExecutor({ concurrency: 4 });
      return { cycle: (i) => void pool.submit(() => i, { timeoutMs: FAR }) };
    },
  },
  {
    name: "executors: PooledExecutor.submit({ signal }) queued, aborted",
    async: true,
    setup() {
      const { pool, release } = busyPool();
      return {
        release,
        cycle: abortEach((signal) =>
          pool.submit(noop, { signal, timeoutMs: FAR })
        ),
      };
    },
  },
  {
    name: "executors: PooledExecutor.onIdle({ signal }) while busy, aborted",
    async: true,
    setup() {
      const { pool, release } = busyPool();
      return {
        release,
        cycle: abortEach((signal) => pool.onIdle({ signal })),
      };
    },
  },
  {
    name: "executors: DelayedExecutor.schedule(far) cancelled",
    setup() {
      const delayed = new DelayedExecutor();
      return { cycle: () => void delayed.schedule(noop, FAR).cancel() };
    },
  },
  {
    name: "executors: DelayedExecutor.schedule(far, { signal }) aborted",
    setup() {
      const delayed = new DelayedExecutor();
      return {
        cycle() {
          const controller = new AbortController();
          delayed.schedule(noop, FAR, { signal: controller.signal });
          controller.abort();
        },
      };
    },
  },
  {
    name: "executors: DelayedExecutor.scheduleAt(far) cancelled",
    setup() {
      const delayed = new DelayedExecutor();
      const at = delayed.clock.now() + FAR;
      return { cycle: () => void delayed.scheduleAt(noop, at).cancel() };
    },
  },
  {
    name: "executors: DelayedExecutor.scheduleRepeating(far) cancelled",
    setup() {
      const delayed = new DelayedExecutor();
      return {
        cycle: () =>
          void delayed.scheduleRepeating(noop, { periodMs: FAR }).cancel(),
      };
    },
  },
  {
    name: "executors: DelayedExecutor.scheduleRepeating({ signal }) aborted",
    setup() {
      const delayed = new DelayedExecutor();
      return {
        cycle() {
          const controller = new AbortController();
          delayed.scheduleRepeating(noop, {
            periodMs: FAR,
            signal: controller.signal,
          });
          controller.abort();
        },
      };
    },
  },

  // --- combinators
  {
    name: "combinators: timeout(settling work, far) settled",
    async: true,
    setup: () => ({
      async cycle(i) {
        await timeout(Promise.resolve(i), FAR);
      },
    }),
  },
  {
    name: "combinators: timeout(task, far, { signal }) aborted",
    async: true,
    setup: () => ({
      cycle: abortEach((signal) => timeout(never, FAR, { signal })),
    }),
  },
  {
    name: "combinators: timeout(long-lived future, far, { signal }) aborted",
    async: true,
    setup: () =>
      abortEachOn((longLived) => (signal) =>
        timeout(longLived, FAR, { signal })
      ),
  },
  {
    name: "combinators: debounce(fn, far) called, then cancelled",
    async: true,
    setup() {
      const debounced = debounce(noop, FAR);
      return {
        async cycle() {
          const call = debounced();
          debounced.cancel();
          await call.catch(noop);
        },
      };
    },
  },
  {
    name: "combinators: throttle(fn, { intervalMs: far }) queued, cancelled",
    async: true,
    setup() {
      const throttled = throttle(noop, { intervalMs: FAR });
      return {
        async cycle() {
          const first = throttled();
          const queued = throttled();
          throttled.cancel();
          await first.catch(noop);
          await queued.catch(noop);
        },
      };
    },
  },
  {
    name: "combinators: throttle(() => long-lived future) in flight, cancelled",
    async: true,
    setup() {
      const longLived = new Completer<void>();
      const throttled = throttle(() => longLived.future, {
        limit: FAR,
        intervalMs: 1,
      });
      return {
        async cycle() {
          const call = throttled();
          throttled.cancel();
          await call.catch(noop);
        },
        release: () => longLived.resolve(),
      };
    },
  },
  {
    name: "combinators: mapConcurrent(items, never, { signal }) aborted",
    async: true,
    setup: () => ({
      cycle: abortEach((signal) =>
        mapConcurrent([1, 2], never, { concurrency: 2, signal })
      ),
    }),
  },
  {
    name:
      "combinators: mapConcurrent(items, () => long-lived future, { signal }) aborted",
    async: true,
    setup: () =>
      abortEachOn((longLived) => (signal) =>
        mapConcurrent([1, 2], () => longLived, { concurrency: 2, signal })
      ),
  },
  {
    name:
      "combinators: mapConcurrent(items, long-lived future or failure) failed",
    async: true,
    setup() {
      const longLived = new Completer<void>();
      const task = (n: number) =>
        n === 1 ? longLived.future : Promise.reject(failure);
      return {
        async cycle() {
          await mapConcurrent([1, 2], task).catch(noop);
        },
        release: () => longLived.resolve(),
      };
    },
  },
  {
    name:
      "combinators: mapConcurrentIterable(items, () => long-lived future, { signal }) aborted",
    async: true,
    setup: () =>
      abortEachOn((longLived) => (signal) =>
        mapConcurrentIterable([1, 2], () => longLived, {
          concurrency: 2,
          signal,
        }).next()
      ),
  },
  {
    name:
      "combinators: sequence([() => long-lived future], { signal }) aborted",
    async: true,
    setup: () =>
      abortEachOn((longLived) => (signal) =>
        sequence([() => longLived], { signal })
      ),
  },
  {
    name:
      "combinators: pipeline(() => long-lived future)(input, { signal }) aborted",
    async: true,
    setup: () =>
      abortEachOn((longLived) => {
        const run = pipeline(() => longLived);
        return (signal) => run(1, { signal });
      }),
  },
  {
    name: "combinators: race([task, task], { signal }) aborted",
    async: true,
    setup: () => ({
      cycle: abortEach((signal) => race([never, never], { signal })),
    }),
  },
  {
    name: "combinators: any([task, task], { signal }) aborted",
    async: true,
    setup: () => ({
      cycle: abortEach((signal) => any([never, never], { signal })),
    }),
  },
  {
    name: "combinators: all([long-lived future, task], { signal }) aborted",
    async: true,
    setup: () =>
      abortEachOn((longLived) => (signal) =>
        all([longLived, never], { signal })
      ),
  },
  {
    name: "combinators: race([long-lived future, value]) settled",
    async: true,
    setup() {
      const longLived = new Completer<void>();
      return {
        async cycle(i) {
          await race([longLived.future, i]);
        },
        release: () => longLived.resolve(),
      };
    },
  },
  {
    name: "combinators: pipeline(stage)(input, { signal }) aborted",
    async: true,
    setup() {
      const run = pipeline(never);
      return { cycle: abortEach((signal) => run(1, { signal })) };
    },
  },

  // --- resilience
  {
    name: "resilience: retry(failing, { backoff: far }) aborted during backoff",
    async: true,
    setup: () => ({
      async cycle() {
        const controller = new AbortController();
        let run!: PromiseLike<unknown>;
        // onRetry runs right before the wait is armed.
        await new Promise<void>((waiting) => {
          run = retry(() => Promise.reject(failure), {
            backoff: FAR,
            signal: controller.signal,
            onRetry: () => waiting(),
          });
        });
        controller.abort();
        await Promise.resolve(run).catch(noop);
      },
    }),
  },
  {
    name: "resilience: timeoutPolicy(far).execute(settling work) settled",
    async: true,
    setup() {
      const policy = timeoutPolicy(2 ** 31 - 1);
      return {
        async cycle(i) {
          await policy.execute(() => Promise.resolve(i));
        },
      };
    },
  },
  {
    name: "resilience: timeoutPolicy(far).execute(never, { signal }) aborted",
    async: true,
    setup() {
      const policy = timeoutPolicy(2 ** 31 - 1);
      return {
        cycle: abortEach((signal) => policy.execute(never, { signal })),
      };
    },
  },
  {
    name: "resilience: CircuitBreaker.execute() succeeding, failing, aborted",
    async: true,
    setup: () => ({
      cycle: breakerCycle(new CircuitBreaker({ cooldownMs: FAR })),
    }),
  },
  {
    name: "resilience: Bulkhead.execute({ signal }) queued, aborted",
    async: true,
    setup() {
      const bulkhead = new Bulkhead({ concurrency: 1, maxQueue: Infinity });
      const gate = new Completer<void>();
      bulkhead.execute(() => gate.future);
      return {
        release: () => gate.resolve(),
        cycle: abortEach((signal) => bulkhead.execute(noop, { signal })),
      };
    },
  },
  {
    name: "resilience: RateLimiter.acquire({ signal }) waiting, aborted",
    async: true,
    setup() {
      const limiter = new RateLimiter({ limit: 1, intervalMs: FAR });
      limiter.tryAcquire();
      return { cycle: abortEach((signal) => limiter.acquire({ signal })) };
    },
  },
  {
    name:
      "resilience: hedgePolicy({ delayMs: far }).execute() settled, aborted",
    async: true,
    setup() {
      const policy = hedgePolicy({ delayMs: FAR });
      const aborted = abortEach((signal) => policy.execute(never, { signal }));
      return {
        async cycle(i) {
          await policy.execute(() => Promise.resolve(i));
          await aborted(i);
        },
      };
    },
  },
  {
    name:
      "resilience: RateLimiter on a MemoryStore: acquire({ signal }) aborted at once, and once in line",
    async: true,
    setup() {
      const limiter = new RateLimiter({
        limit: 1,
        intervalMs: FAR,
        store: new MemoryStore(),
        key: "soak",
      });
      void limiter.acquire(); // the bucket's one token
      const atOnce = abortEach((signal) => limiter.acquire({ signal }));
      return {
        async cycle(i) {
          await atOnce(i);
          const controller = new AbortController();
          const waiting = limiter.acquire({ signal: controller.signal });
          // The store answers: in line, a timer armed for its next token.
          for (let turn = 0; turn < 4; turn++) await Promise.resolve();
          controller.abort();
          await waiting.catch(noop);
        },
      };
    },
  },
  {
    name:
      "resilience: CircuitBreaker on a MemoryStore: execute() succeeding, failing, aborted",
    async: true,
    setup: () => ({
      cycle: breakerCycle(
        new CircuitBreaker({
          cooldownMs: FAR,
          store: new MemoryStore(),
          key: "soak",
        }),
      ),
    }),
  },
  {
    name:
      "resilience: RetryBudget on a MemoryStore: deposit(), withdraw(), withdraw({ signal }) aborted",
    async: true,
    setup() {
      const budget = new RetryBudget({ store: new MemoryStore(), key: "soak" });
      const aborted = abortEach((signal) => budget.withdraw({ signal }));
      return {
        async cycle(i) {
          budget.deposit();
          await budget.withdraw();
          await aborted(i);
        },
      };
    },
  },
  {
    name: "resilience: RetryBudget deposit() and tryWithdraw()",
    setup() {
      const budget = new RetryBudget();
      return {
        cycle() {
          budget.deposit();
          budget.tryWithdraw();
        },
      };
    },
  },

  // --- loop
  {
    name: "loop: PriorityScheduler.post({ delayMs: far, signal }) aborted",
    async: true,
    setup() {
      const scheduler = new PriorityScheduler();
      return {
        cycle: abortEach((signal) =>
          scheduler.post(noop, { delayMs: FAR, signal }).future
        ),
        release: () => scheduler[Symbol.dispose](),
      };
    },
  },
  {
    name: "loop: PriorityScheduler.post() cancelled",
    setup() {
      const scheduler = new PriorityScheduler();
      return {
        cycle: () => void scheduler.post(noop).cancel(),
        release: () => scheduler[Symbol.dispose](),
      };
    },
  },
  {
    name: "loop: VirtualClock setTimeout(far) and setInterval(far) cleared",
    setup() {
      const clock = new VirtualClock();
      return {
        cycle() {
          clock.clearTimeout(clock.setTimeout(noop, FAR));
          clock.clearInterval(clock.setInterval(noop, FAR));
        },
      };
    },
  },
  {
    name: "loop: EventLoop setTimeout(far) and setInterval(far) cleared",
    setup() {
      const loop = new EventLoop();
      return {
        cycle() {
          loop.clearTimeout(loop.setTimeout(noop, FAR));
          loop.clearInterval(loop.setInterval(noop, FAR));
        },
      };
    },
  },

  {
    name:
      "loop: EventLoop.yield() in a postTask({ long-lived signal }) task, run",
    setup() {
      const loop = new EventLoop();
      const signal = new AbortController().signal;
      return {
        cycle() {
          loop.postTask(() => void loop.yield(), { signal });
          loop.runAll();
        },
      };
    },
  },
  {
    name: "loop: EventLoop.yield() in a postTask({ signal }) task, aborted",
    setup() {
      const loop = new EventLoop();
      return {
        cycle() {
          const controller = new AbortController();
          loop.postTask(() => void loop.yield().then(undefined, noop), {
            signal: controller.signal,
          }).then(undefined, noop);
          loop.step(); // the task runs: its continuation waits
          controller.abort();
          loop.runAll();
        },
      };
    },
  },
  // Delayed (in the heap) and queued (due now, the loop not run).
  ...[FAR, 0].map((delay): Churn => ({
    name: `loop: EventLoop.postTask({ ${
      delay === 0 ? "" : "delay: far, "
    }signal }) aborted${delay === 0 ? " while queued" : ""}`,
    setup() {
      const loop = new EventLoop();
      return {
        cycle() {
          const controller = new AbortController();
          loop.postTask(noop, { delay, signal: controller.signal })
            .then(undefined, noop);
          controller.abort();
          loop.runMicrotasks();
        },
      };
    },
  })),
  // Closing one end disentangles both: the other one is let go too.
  ...(["html", "node", "deno"] as const).map((profile): Churn => ({
    name:
      `loop: EventLoop.messageChannel() (${profile}) posted to, the receiving port closed`,
    setup() {
      const loop = new EventLoop({ profile });
      return {
        cycle(i) {
          const { port1, port2 } = loop.messageChannel();
          port1.onmessage = noop;
          port2.postMessage(i);
          port1.close();
        },
      };
    },
  })),
  {
    name: "loop: EventLoop.onError() and onUnhandledRejection() disposed",
    setup() {
      const loop = new EventLoop();
      return {
        cycle() {
          loop.onError(noop)[Symbol.dispose]();
          loop.onUnhandledRejection(noop)[Symbol.dispose]();
        },
      };
    },
  },

  // --- workers
  {
    name: "workers: WorkerPool.run({ signal }) queued, aborted",
    async: true,
    setup() {
      // One worker, held by a task that never ends: every cycle's task waits.
      const pool = new WorkerPool({
        module: `data:text/javascript,${
          encodeURIComponent("export const hold = () => new Promise(() => {});")
        }`,
        size: 1,
      });
      pool.run("hold", 0).then(noop, noop);
      return {
        cycle: abortEach((signal) => pool.run("hold", 0, { signal })),
        release: () => void pool.terminate(),
      };
    },
  },
];

/** Bytes per cycle kept by an API before the soak test fails. */
export const LIMIT_BYTES = 64;
const CYCLES = 100_000;
const WARMUP = 2_000;

const gc = (globalThis as { gc?: () => void }).gc;

function heapUsed(): number {
  const deno = (globalThis as {
    Deno?: { memoryUsage(): { heapUsed: number } };
  }).Deno;
  if (deno !== undefined) return deno.memoryUsage().heapUsed;
  const node = (globalThis as {
    process?: { memoryUsage(): { heapUsed: number } };
  }).process!;
  return node.memoryUsage().heapUsed;
}

function collect(): number {
  gc!();
  gc!();
  return heapUsed();
}

// Lets the host run timers, microtasks and finalizers, then collects.
async function settle(): Promise<number> {
  for (let i = 0; i < 4; i++) {
    await new Promise((resolve) => setTimeout(resolve, 0));
    gc!();
  }
  return heapUsed();
}

// Runs `n` cycles, then collects at once: a synchronous churn is measured
// before any microtask runs.
async function cycles(
  churn: Churn,
  cycle: Soaked["cycle"],
  n: number,
): Promise<number> {
  if (churn.async) {
    for (let i = 0; i < n; i++) await cycle(i);
  } else {
    for (let i = 0; i < n; i++) cycle(i);
  }
  return collect();
}

/** What one API kept, in bytes per cycle. */
export interface SoakResult {
  name: string;
  burst: number;
  settled: number;
}

/** Churns one API and measures what it keeps. */
export async function soak(churn: Churn, n = CYCLES): Promise<SoakResult> {
  const { cycle, release } = churn.setup();
  await cycles(churn, cycle, WARMUP);
  const before = await settle();
  const burst = await cycles(churn, cycle, n);
  const settled = await settle();
  release?.();
  await settle();
  return {
    name: churn.name,
    burst: (burst - before) / n,
    settled: (settled - before) / n,
  };
}

/**
 * Soaks the APIs whose name contains one of `args` (all without), prints a
 * line per API, and returns the exit code: 1 when one kept too much.
 */
export async function main(args: string[]): Promise<number> {
  const selected = args.length === 0
    ? CHURNS
    : CHURNS.filter((c) => args.some((a) => c.name.includes(a)));
  console.log(
    `soak: ${CYCLES} cycles per API, limit ${LIMIT_BYTES} B/cycle (burst: right after the cycles; settled: after timers and microtasks)`,
  );
  let failed = 0;
  for (const churn of selected) {
    const result = await soak(churn);
    const worst = Math.max(result.burst, result.settled);
    const ok = worst <= LIMIT_BYTES;
    if (!ok) failed++;
    console.log(
      `${ok ? "ok  " : "FAIL"} ${result.burst.toFixed(1).padStart(8)} ${
        result.settled.toFixed(1).padStart(8)
      } B/cycle  ${result.name}`,
    );
  }
  console.log(
    failed === 0
      ? `soak: ${selected.length} APIs keep at most ${LIMIT_BYTES} B/cycle`
      : `soak: ${failed} of ${selected.length} APIs keep more than ${LIMIT_BYTES} B/cycle`,
  );
  return failed === 0 ? 0 : 1;
}

if (import.meta.main) {
  const deno = (globalThis as {
    Deno?: {
      args: string[];
      execPath(): string;
      exit(code: number): never;
      Command: new (
        cmd: string,
        options: { args: string[]; stdout: "inherit"; stderr: "inherit" },
      ) => { output(): Promise<{ code: number }> };
    };
  }).Deno;
  if (gc === undefined && deno !== undefined) {
    // Re-run with the flag.
    const { code } = await new deno.Command(deno.execPath(), {
      args: [
        "run",
        "-A",
        "--v8-flags=--expose-gc",
        new URL(import.meta.url).pathname,
        ...deno.args,
      ],
      stdout: "inherit",
      stderr: "inherit",
    }).output();
    deno.exit(code);
  } else if (gc === undefined) {
    throw new Error("soak: run with --expose-gc");
  }
  const code = await main(
    deno?.args ??
      (globalThis as { process?: { argv: string[] } }).process!.argv.slice(2),
  );
  if (deno !== undefined) deno.exit(code);
  (globalThis as { process?: { exitCode?: number } }).process!.exitCode = code;
}

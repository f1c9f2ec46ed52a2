import {
  type Clock,
  DelayedExecutor,
  PooledExecutor,
  QueueFullError,
  submit,
  VirtualClock,
} from "../../mod.ts";

/** Shows the pooled executor and the delayed executor on virtual time. */
export async function demo(): Promise<void> {
  const clock = new VirtualClock();
  const sleep = (ms: number) =>
    new Promise<void>((r) => clock.setTimeout(r, ms));
  const settle = <T>(promise: PromiseLike<T>): Promise<T> =>
    clock.runUntilSettled(promise);

  // A pool of 3 slots, a queue of 4, priorities and weights.
  const pool = new PooledExecutor({ concurrency: 3, maxQueue: 4, clock });
  const log: string[] = [];
  const job = (name: string, ms: number) => async () => {
    log.push(`t=${clock.now()} start ${name} (running ${pool.running})`);
    await sleep(ms);
    return name;
  };
  const jobs = [
    pool.submit(job("a", 100)),
    pool.submit(job("b", 100)),
    pool.submit(job("c", 100)),
    pool.submit(job("bulk", 50), { weight: 3 }),
    pool.submit(job("low", 10), { priority: -1 }),
    pool.submit(job("urgent", 10), { priority: 10 }),
  ];
  const controller = new AbortController();
  const dropped = pool.submit(job("dropped", 10), {
    signal: controller.signal,
  });
  const full: unknown = await pool.submit(job("too many", 10)).catch((e) => e);
  if (full instanceof QueueFullError) {
    console.log(
      `queue full: ${full.queued} waiting, maxQueue ${full.maxQueue}`,
    );
  }
  controller.abort(new Error("no longer needed"));
  await dropped.catch((e) =>
    console.log(
      "aborted while queued:",
      (e as Error).message,
      `(queued ${pool.queued})`,
    )
  );
  await settle(pool.onIdle());
  console.log(log.join("\n"));
  console.log("results:", (await Promise.all(jobs)).join(", "));

  // Raising the limit starts waiting work at once.
  pool.pause();
  for (let i = 0; i < 4; i++) pool.submit(job(`w${i}`, 10));
  console.log(`paused: running ${pool.running}, queued ${pool.queued}`);
  pool.resume();
  console.log(`resumed: running ${pool.running}, queued ${pool.queued}`);
  pool.concurrency = 6;
  console.log(`concurrency 6: running ${pool.running}, queued ${pool.queued}`);
  await settle(pool[Symbol.asyncDispose]());

  // The delayed executor: one host timer for 10,000 tasks.
  let armed = 0;
  const counting: Clock = {
    now: () => clock.now(),
    setTimeout: (cb, ms) => (armed++, clock.setTimeout(cb, ms)),
    clearTimeout: (h) => clock.clearTimeout(h),
  };
  const delayed = new DelayedExecutor({ clock: counting });
  let ran = 0;
  for (let i = 0; i < 10_000; i++) delayed.schedule(() => ran++, 1 + i);
  console.log(
    `10,000 scheduled tasks: ${delayed.queued} queued, ${clock.pendingTimers} host timer (armed ${armed} time)`,
  );
  clock.tick(10_000);
  console.log(`after 10 s of virtual time: ${ran} ran, ${delayed.queued} left`);

  // Fixed rate versus fixed delay with a task that takes 30 ms.
  const starts: Record<string, number[]> = {
    "fixed-rate": [],
    "fixed-delay": [],
  };
  const t0 = clock.now();
  for (const mode of ["fixed-rate", "fixed-delay"] as const) {
    delayed.scheduleRepeating(async () => {
      starts[mode]!.push(clock.now() - t0);
      await sleep(30);
    }, { periodMs: 100, mode });
  }
  await clock.tickAsync(500);
  console.log("fixed-rate starts: ", starts["fixed-rate"]!.join(", "));
  console.log("fixed-delay starts:", starts["fixed-delay"]!.join(", "));
  delayed[Symbol.dispose]();
  clock.tick(30); // let the runs in flight finish their sleep

  // submit() gives a future for any executor.
  const later = submit(new DelayedExecutor({ clock }), () => "from the heap");
  console.log("submit():", await settle(later));
  console.log("timers left:", clock.pendingTimers);
}

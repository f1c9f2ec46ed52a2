import {
  all,
  debounce,
  delay,
  mapConcurrent,
  pipeline,
  raceWithWinner,
  throttle,
  timeout,
  VirtualClock,
} from "../../mod.ts";

/** Shows the combinators on a virtual clock: limits, losers aborted, timing. */
export async function demo(): Promise<void> {
  const clock = new VirtualClock();

  // mapConcurrent: eight downloads, three at a time, results in input order.
  const sizes = [120, 40, 300, 80, 60, 200, 30, 90];
  let running = 0;
  let peak = 0;
  const lines: string[] = [];
  const results = await clock.runUntilSettled(
    mapConcurrent(sizes, async (ms, i, signal) => {
      peak = Math.max(peak, ++running);
      const start = clock.now();
      await delay(ms, { clock, signal });
      running--;
      lines.push(`  file ${i}: ${start}-${clock.now()} ms`);
      return `file-${i}`;
    }, { concurrency: 3 }),
  );
  console.log(lines.join("\n"));
  console.log(
    `mapConcurrent: ${results.length} results in input order, peak ${peak} running,`,
    `${clock.now()} ms of virtual time (sequentially: ${
      sizes.reduce((a, b) => a + b)
    } ms)`,
  );

  // raceWithWinner: the fastest mirror wins, the others are aborted.
  const aborted: string[] = [];
  const mirror = (name: string, ms: number) => (signal: AbortSignal) =>
    delay(ms, { clock, signal }).then(() => name, (e) => {
      aborted.push(name);
      throw e;
    });
  const start = clock.now();
  const winner = await clock.runUntilSettled(
    raceWithWinner({
      eu: mirror("eu", 80),
      us: mirror("us", 35),
      asia: mirror("asia", 120),
    }),
  );
  console.log(
    `raceWithWinner: "${winner.key}" won after ${clock.now() - start} ms;`,
    `aborted: ${aborted.join(", ")}; timers left: ${clock.pendingTimers}`,
  );

  // all: one failure aborts the siblings still running.
  const siblings: string[] = [];
  const failed = await clock.runUntilSettled(
    all([
      (signal) =>
        delay(500, { clock, signal }).catch((e) => {
          siblings.push(`sibling aborted with ${(e as Error).name}`);
          throw e;
        }),
      () =>
        delay(20, { clock }).then(() => Promise.reject(new Error("disk full"))),
    ]),
  ).catch((e: Error) => e.message);
  console.log(`all: rejected with "${failed}"; ${siblings.join("")}`);

  // timeout: a slow lookup falls back to a cached value.
  const lookup = (signal: AbortSignal) =>
    delay(2000, { clock, signal }).then(() => "fresh");
  const value = await clock.runUntilSettled(
    timeout(lookup, 150, { clock, fallback: () => "cached" }),
  );
  console.log(`timeout(150 ms) on a 2 s lookup: "${value}"`);

  // pipeline: parse, validate, recover, format.
  const port = pipeline(
    (text: string) => JSON.parse(text) as { port?: number },
    (config) => config.port ?? 80,
    { onError: () => 8080 },
    (n) => `:${n}`,
  );
  console.log(
    `pipeline: ${await port('{"port":443}')} and, recovered, ${await port(
      "{oops",
    )}`,
  );

  // debounce: five keystrokes 50 ms apart make one search; all get its result.
  const searches: string[] = [];
  const search = debounce(
    (q: string) => {
      searches.push(q);
      return `${q.length} hits`;
    },
    100,
    { clock },
  );
  const answers = ["p", "pl", "ple", "pled", "pledge"].map((q) => {
    const answer = search(q);
    clock.tick(50);
    return answer;
  });
  clock.tick(100);
  console.log(
    `debounce: searched ${JSON.stringify(searches)};`,
    `the 5 callers got ${JSON.stringify(await Promise.all(answers))}`,
  );

  // throttle: at most 2 saves per 500 ms; the calls between fold into one.
  const saves: number[] = [];
  const save = throttle(() => saves.push(clock.now()), {
    limit: 2,
    intervalMs: 500,
    clock,
  });
  const t0 = clock.now();
  const calls = [];
  for (let i = 0; i < 10; i++) {
    calls.push(save());
    clock.tick(100);
  }
  clock.runAll();
  await Promise.all(calls);
  console.log(
    `throttle: 10 calls over 1 s ran ${saves.length} times, at`,
    saves.map((t) => `${t - t0} ms`).join(", "),
  );
  console.log("virtual timers still pending:", clock.pendingTimers);
}

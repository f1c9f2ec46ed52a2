/**
 * Fleet-wide rate limits on Redis: decisions per second of pledge's
 * `RateLimiter` on `RedisStore` (exact, and with `lease: 100`) against
 * rate-limiter-flexible 11.4.0 `RateLimiterRedis` and bottleneck 2.19.5 with
 * Redis clustering, in the same run, on the same Redis server (started here
 * on a free loopback port, with no persistence), from one process and from
 * four. One iteration is 1,000 decisions, 50 at a time in each process (so
 * decisions per second = 1,000 / the reported time), against a limit that
 * never binds; a third group makes 200 decisions one at a time (no
 * concurrency, so no batching: one round trip each). Before the benches, the top-level Redis commands each
 * contender sends per decision (its round trips, for one-command decisions)
 * are measured and printed. Each bench's name ends with its group's setting,
 * so `--filter "one caller"` (or `"one process"`, `"four processes"`) runs
 * one group.
 *
 * Without `redis-server` (Debian's package) the file says so and registers
 * nothing, so `deno task bench` still runs.
 *
 * Run: `deno bench -A --no-check bench/fleet_bench.ts`
 *
 * @module
 */

import {
  REDIS_SERVER,
  startRedis,
} from "../tests/resilience/stores/_redis_server.ts";
import { JsonProcess } from "../tests/resilience/stores/_json_process.ts";
import { type Contender, contenders, decideMany } from "./_fleet_contenders.ts";

const DECISIONS = 1000;
const ONE = "fleet limiter: 1,000 decisions, one process";
const FOUR = "fleet limiter: 1,000 decisions, four processes";
const SERIAL = "fleet limiter: 200 decisions, one caller at a time";
// Fixed iteration counts: bottleneck takes about a second per iteration.
const RUNS = { n: 20, warmup: 3 };

if (REDIS_SERVER === undefined) {
  console.log(
    "fleet_bench: redis-server is not installed (apt-get install redis-server): the fleet benches are skipped",
  );
} else {
  const server = await startRedis();
  const local = await contenders(server.port);
  const worker = new URL("./_fleet_bench_worker.ts", import.meta.url).pathname;
  const fleet = Array.from(
    { length: 4 },
    () => new JsonProcess(worker, [String(server.port)]),
  );
  for (const process of fleet) await process.next(); // ready
  globalThis.addEventListener("unload", () => {
    for (const process of fleet) process.kill();
    for (const contender of local) void contender.close();
    void server.stop();
  });

  // Round trips per decision (top-level commands sent), 2,000 decisions.
  const table: string[] = [];
  for (const contender of local) {
    const before = contender.commands();
    await decideMany(contender, 2000);
    const perDecision = (contender.commands() - before) / 2000;
    table.push(`  ${perDecision.toFixed(3).padStart(7)}  ${contender.name}`);
  }
  console.log(
    `fleet_bench: Redis commands sent per decision (one process, 2,000 decisions):\n${
      table.join("\n")
    }`,
  );

  const baseline = (c: Contender) => c.name.startsWith("rate-limiter");
  for (const contender of local) {
    Deno.bench({
      name: `${contender.name}; one process`,
      group: ONE,
      baseline: baseline(contender),
      ...RUNS,
      async fn() {
        await decideMany(contender, DECISIONS);
      },
    });
  }
  for (const contender of local) {
    Deno.bench({
      name: `${contender.name}; one caller at a time`,
      group: SERIAL,
      baseline: baseline(contender),
      ...RUNS,
      async fn() {
        await decideMany(contender, 200, 1);
      },
    });
  }
  for (const contender of local) {
    Deno.bench({
      name: `${contender.name}; four processes`,
      group: FOUR,
      baseline: baseline(contender),
      ...RUNS,
      async fn() {
        await Promise.all(
          fleet.map((p) =>
            p.send({ run: contender.name, n: DECISIONS / fleet.length })
          ),
        );
      },
    });
  }
}

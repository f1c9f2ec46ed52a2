/**
 * A fleet of four processes (`_fleet_worker.ts`) sharing one rate limit and
 * one circuit through each store: Redis with node-redis, Redis with ioredis,
 * and Deno KV on a temporary file. The real servers' (and processes') own
 * time is the subject here: the limiter's runs take a few hundred
 * milliseconds of real time.
 *
 * @module
 */

import assert from "node:assert/strict";
import { REDIS_SERVER, startRedis } from "./_redis_server.ts";
import { JsonProcess } from "./_json_process.ts";

const WORKER = new URL("./_fleet_worker.ts", import.meta.url).pathname;

/** A worker process of the fleet. */
class Worker extends JsonProcess {
  constructor(kind: string, target: string, key: string) {
    super(WORKER, [kind, target, key], ["--unstable-kv"]);
  }

  async stop(): Promise<void> {
    const status = await this.exit({ cmd: "exit" });
    assert.equal(status.code, 0);
  }
}

/** The most grants in any span [t, t + windowMs) of the sorted times. */
function busiestWindow(times: number[], windowMs: number): number {
  let most = 0;
  for (let i = 0, j = 0; i < times.length; i++) {
    while (j < times.length && times[j]! < times[i]! + windowMs) j++;
    most = Math.max(most, j - i);
  }
  return most;
}

const LIMIT = 10;
const INTERVAL_MS = 100;

/**
 * One limit for four processes: 10 per 100 ms (burst 1), 15 grants each;
 * returns the most grants in any window of 100 ms.
 */
async function limitRun(workers: Worker[]) {
  for (const worker of workers) {
    assert.deepEqual(await worker.next(), { ready: true });
  }
  const replies = await Promise.all(
    workers.map((w) =>
      w.send({
        cmd: "limit",
        n: 15,
        limit: LIMIT,
        intervalMs: INTERVAL_MS,
        burst: 1,
      })
    ),
  );
  const times = replies.flatMap((r) => r.at as number[]).sort((a, b) => a - b);
  assert.equal(times.length, 60);
  return { most: busiestWindow(times, INTERVAL_MS) };
}

async function fleetChecks(kind: string, target: string): Promise<void> {
  const workers = Array.from(
    { length: 4 },
    () => new Worker(kind, target, `k-${kind}`),
  );
  try {
    const { most } = await limitRun(workers);
    assert.ok(most <= LIMIT, `${most} grants within ${INTERVAL_MS} ms`);

    // A trip in one process is seen by the others on their next call.
    const [a, b, c, d] = workers as [Worker, Worker, Worker, Worker];
    assert.deepEqual(await b.send({ cmd: "call", fail: false }), {
      ok: true,
      state: "closed",
    });
    assert.deepEqual(await a.send({ cmd: "call", fail: true }), {
      ok: false,
      error: "Error",
      state: "open",
    });
    for (const other of [b, c, d]) {
      assert.deepEqual(await other.send({ cmd: "call", fail: false }), {
        ok: false,
        error: "CircuitOpenError",
        state: "open",
      });
    }
    assert.deepEqual(await c.send({ cmd: "reset" }), { state: "closed" });
    assert.deepEqual(await d.send({ cmd: "call", fail: false }), {
      ok: true,
      state: "closed",
    });
    await b.send({ cmd: "isolate" });
    assert.deepEqual(await a.send({ cmd: "call", fail: false }), {
      ok: false,
      error: "CircuitOpenError",
      state: "isolated",
    });
  } finally {
    await Promise.all(workers.map((w) => w.stop()));
  }
}

for (const kind of ["node-redis", "ioredis"]) {
  Deno.test({
    name:
      `Four processes on Redis (${kind}) share one exact limit and one circuit`,
    ignore: REDIS_SERVER === undefined,
    async fn() {
      await using server = await startRedis();
      await fleetChecks(kind, server.url);
    },
  });
}

Deno.test("Four processes on Deno KV (a file) share one exact limit and one circuit", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await fleetChecks("kv", `${dir}/fleet.sqlite`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("Four processes with a store each (not shared) exceed the limit: the window check's negative control", async () => {
  const workers = Array.from(
    { length: 4 },
    () => new Worker("memory", "", "k"),
  );
  try {
    const { most } = await limitRun(workers);
    assert.ok(most > LIMIT, `${most} grants within ${INTERVAL_MS} ms`);
  } finally {
    await Promise.all(workers.map((w) => w.stop()));
  }
});

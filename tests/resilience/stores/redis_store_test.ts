import assert from "node:assert/strict";
import { createClient } from "redis";
import { Redis } from "ioredis";
import {
  type IoRedisClient,
  type NodeRedisClient,
  RedisStore,
} from "../../../src/resilience/stores/redis_store.ts";
import { RateLimiter } from "../../../src/resilience/rate_limiter.ts";
import type {
  RateLimiterStore,
  StoreErrorEvent,
} from "../../../src/resilience/stores/store_contracts.ts";
import { REDIS_SCRIPT } from "../../../src/resilience/stores/_redis_script.ts";
import { assertThrowsWith, catchUnhandled } from "../../_support.ts";
import { RateLimitedError } from "../../../src/core/errors.ts";
import { REDIS_SERVER, type RedisServer, startRedis } from "./_redis_server.ts";

const ignore = REDIS_SERVER === undefined;

/** A client of either kind, with the raw commands the tests need. */
interface TestClient {
  name: string;
  client: NodeRedisClient | IoRedisClient;
  command(...args: string[]): Promise<unknown>;
  close(): Promise<void>;
}

async function nodeRedis(server: RedisServer): Promise<TestClient> {
  const client = createClient({
    url: server.url,
    socket: { reconnectStrategy: () => 20 },
  });
  client.on("error", () => {}); // reconnections are expected in fault tests
  await client.connect();
  return {
    name: "node-redis",
    client: client as unknown as NodeRedisClient,
    command: (...args) => client.sendCommand(args),
    close: async () => {
      client.destroy();
      await new Promise((r) => setTimeout(r, 0));
    },
  };
}

async function ioRedis(server: RedisServer): Promise<TestClient> {
  const client = new Redis(server.port, "127.0.0.1", {
    retryStrategy: () => 20,
    lazyConnect: true,
  });
  client.on("error", () => {});
  await client.connect();
  return {
    name: "ioredis",
    client: client as unknown as IoRedisClient,
    command: (name, ...args) => client.call(name, ...args),
    close: async () => {
      client.disconnect();
      await new Promise((r) => setTimeout(r, 0));
    },
  };
}

const CLIENTS = [nodeRedis, ioRedis];

/** Runs `body` with a fresh server and a client of each kind. */
function eachClient(
  name: string,
  body: (client: TestClient, server: RedisServer) => Promise<void>,
): void {
  for (const connect of CLIENTS) {
    Deno.test({
      name: `${name} (${
        connect.name === "nodeRedis" ? "node-redis" : "ioredis"
      })`,
      ignore,
      async fn() {
        await using server = await startRedis();
        const client = await connect(server);
        try {
          await body(client, server);
        } finally {
          await client.close();
        }
      },
    });
  }
}

const bucket = (weight = 1, maxWeight = weight) => ({
  limit: 2,
  intervalMs: 60_000,
  burst: 2,
  weight,
  maxWeight,
});

eachClient(
  "RedisStore.takeTokens() decides on the server, under the prefix, by SHA",
  async ({ client, command }) => {
    const store = new RedisStore({ client, prefix: "app:" });
    const first = await store.takeTokens("api", bucket(1, 5));
    assert.equal(first.granted, 2);
    const refused = await store.takeTokens("api", bucket());
    assert.equal(refused.granted, 0);
    assert.ok(refused.retryAfterMs > 29_000 && refused.retryAfterMs <= 30_000);
    // The decision's time is the server's (TIME), in epoch milliseconds.
    const [seconds] = await command("TIME") as string[];
    assert.ok(Math.abs(refused.at - Number(seconds) * 1000) < 2_000);
    assert.deepEqual(await command("KEYS", "*"), ["app:limiter:api"]);
    const ttl = Number(await command("PTTL", "app:limiter:api"));
    assert.ok(ttl > 59_000 && ttl <= 60_001, `ttl ${ttl}`);
  },
);

/** `client` with its SCRIPT LOAD calls counted, or sent to `loader`. */
function loadsOf(client: TestClient, loader = client) {
  const counted = { loads: 0, client: undefined as unknown as NodeRedisClient };
  counted.client = new Proxy(client.client as object, {
    get(target, name) {
      const value = Reflect.get(target, name);
      if (typeof value !== "function") return value;
      if (name === "scriptLoad" || name === "script") {
        const load = Reflect.get(loader.client, name) as typeof value;
        return (...args: unknown[]) => (
          counted.loads++, load.apply(loader.client, args)
        );
      }
      return value.bind(target);
    },
  }) as NodeRedisClient;
  return counted;
}

eachClient(
  "RedisStore loads its script once, and after NOSCRIPT sends it with the call (EVAL)",
  async (client) => {
    const counted = loadsOf(client);
    const store = new RedisStore({ client: counted.client });
    await Promise.all([
      store.takeTokens("a", bucket()),
      store.takeTokens("b", bucket()),
    ]);
    await store.updateBudget("c", {
      maxRetries: 1,
      refill: { limit: 1, intervalMs: 1000 },
      ratio: 0,
      deposits: 0,
      withdraw: true,
    });
    assert.equal(counted.loads, 1);
    await client.command("SCRIPT", "FLUSH");
    assert.equal((await store.takeTokens("a", bucket())).granted, 1);
    assert.equal(counted.loads, 1);
    // The EVAL cached the script again: the next call is an EVALSHA.
    const sha = await client.command("SCRIPT", "LOAD", REDIS_SCRIPT);
    await client.command("SCRIPT", "FLUSH");
    assert.equal((await store.takeTokens("b", bucket())).granted, 1);
    assert.deepEqual(await client.command("SCRIPT", "EXISTS", sha as string), [
      1,
    ]);
  },
);

eachClient(
  "RedisStore works where SCRIPT LOAD reaches another server than the key's, as on a cluster",
  async (client) => {
    await using other = await startRedis();
    const loader = await (client.name === "node-redis" ? nodeRedis : ioRedis)(
      other,
    );
    try {
      const counted = loadsOf(client, loader);
      const store = new RedisStore({ client: counted.client });
      for (let i = 0; i < 3; i++) {
        assert.equal(
          (await store.takeTokens("a", bucket(1, 1))).granted,
          i < 2 ? 1 : 0,
        );
      }
      assert.equal(counted.loads, 1);
    } finally {
      await loader.close();
    }
  },
);

Deno.test("RedisStore loads its script again after NOSCRIPT with a client that has no eval", async () => {
  let loads = 0;
  let flushed = true;
  const client = {
    scriptLoad: () => (loads++, flushed = false, Promise.resolve("sha")),
    evalSha: () =>
      flushed
        ? Promise.reject(new Error("NOSCRIPT No matching script."))
        : Promise.resolve([1, 0, "1700000000", "0"]),
  };
  const store = new RedisStore({ client });
  assert.equal((await store.takeTokens("a", bucket())).granted, 1);
  assert.equal(loads, 1);
  flushed = true;
  assert.equal((await store.takeTokens("a", bucket())).granted, 1);
  assert.equal(loads, 2);
});

eachClient(
  "RedisStore.updateCircuit() trips once per epoch, ends the cooldown on the server's clock and expires trial slots",
  async ({ client }) => {
    const store = new RedisStore({ client });
    const enter = (probe: string) =>
      store.updateCircuit("db", {
        op: "enter",
        probe,
        maxProbes: 1,
        probeLeaseMs: 40,
      });
    assert.equal((await enter("x")).state, "closed");
    const open = await store.updateCircuit("db", {
      op: "trip",
      epoch: 0,
      cooldownMs: 40,
    });
    assert.deepEqual([open.state, open.epoch, open.openings], ["open", 1, 1]);
    const late = await store.updateCircuit("db", {
      op: "trip",
      epoch: 0,
      cooldownMs: 99_999,
    });
    assert.equal(late.cooldownMs, 40);
    // The server's own time is the subject here: wait out 40 ms of it.
    await new Promise((r) => setTimeout(r, 45));
    const trial = await enter("p1");
    assert.deepEqual([trial.state, trial.probe, trial.epoch], [
      "half_open",
      true,
      2,
    ]);
    assert.equal((await enter("p2")).probe, false);
    await new Promise((r) => setTimeout(r, 45)); // p1's lease runs out
    assert.equal((await enter("p3")).probe, true);
    const closed = await store.updateCircuit("db", {
      op: "probe",
      epoch: 2,
      probe: "p3",
      success: true,
      successThreshold: 1,
    });
    assert.deepEqual([closed.state, closed.openings], ["closed", 0]);
    assert.equal(
      (await store.updateCircuit("db", { op: "isolate" })).state,
      "isolated",
    );
    assert.equal(
      (await store.updateCircuit("db", { op: "reset" })).state,
      "closed",
    );
  },
);

eachClient(
  "RedisStore.updateBudget() adds deposits and takes whole retries",
  async ({ client }) => {
    const store = new RedisStore({ client });
    const request = (deposits: number, withdraw: boolean) => ({
      maxRetries: 1,
      refill: { limit: 0, intervalMs: 1000 },
      ratio: 0.5,
      deposits,
      withdraw,
    });
    assert.deepEqual(await store.updateBudget("b", request(0, true)), {
      granted: true,
      available: 0,
    });
    assert.equal(
      (await store.updateBudget("b", request(1, true))).granted,
      false,
    );
    assert.deepEqual(await store.updateBudget("b", request(1, true)), {
      granted: true,
      available: 0,
    });
  },
);

eachClient(
  "RateLimiter on Redis: a fleet of limiters never exceeds the limit, the fallback holds while the server is down, and the store is used again when it is back",
  async (client, server) => {
    const events: StoreErrorEvent[] = [];
    const redis = new RedisStore({ client: client.client });
    // Counts the store calls answered within the time limit since `since`.
    let since = Infinity;
    let answered = 0;
    const store: RateLimiterStore = {
      takeTokens(key, request) {
        const started = performance.now();
        const reply = redis.takeTokens(key, request);
        reply.then(() => {
          if (started >= since && performance.now() - started < 100) answered++;
        }, () => {});
        return reply;
      },
    };
    const options = {
      limit: 5,
      intervalMs: 60_000,
      mode: "reject" as const,
      store,
      key: "fault",
      storeTimeoutMs: 100,
      onStoreError: (e: StoreErrorEvent) => events.push(e),
    };
    const limiters = [new RateLimiter(options), new RateLimiter(options)];
    const outcomes = await Promise.allSettled(
      Array.from({ length: 12 }, (_, i) => limiters[i % 2]!.execute(() => i)),
    );
    assert.equal(outcomes.filter((o) => o.status === "fulfilled").length, 5);
    await server.stop();
    // Down: every call settles, on each limiter's own bucket (5 each).
    const down = await Promise.allSettled(
      Array.from({ length: 8 }, (_, i) => limiters[i % 2]!.execute(() => i)),
    );
    assert.equal(down.filter((o) => o.status === "fulfilled").length, 8);
    assert.ok(events.length >= 1);
    assert.ok(events.every((e) => e.fallback === "local"));
    await server.start();
    since = performance.now();
    // Back: the client reconnects, and after storeTimeoutMs a call tries the
    // store again (the server's and the client's own time: polled every 20 ms).
    for (let i = 0; i < 250 && answered === 0; i++) {
      await new Promise((r) => setTimeout(r, 20));
      await limiters[i % 2]!.execute(() => 0).catch(() => {});
    }
    assert.ok(answered > 0, "the store answers again");
    // Decided by the store again: the restarted server's bucket (5 tokens,
    // some taken by the calls above) for both limiters together.
    const after = await Promise.allSettled(
      Array.from({ length: 10 }, (_, i) => limiters[i % 2]!.execute(() => i)),
    );
    assert.ok(after.filter((o) => o.status === "fulfilled").length <= 5);
    assert.ok(after.some((o) => o.status === "rejected"));
  },
);

eachClient(
  "RateLimiter on Redis: calls in flight when the server stops settle through the fallback, and none is left unhandled",
  async (client, server) => {
    const events: StoreErrorEvent[] = [];
    const limiter = new RateLimiter({
      limit: 1000,
      intervalMs: 1000,
      store: new RedisStore({ client: client.client }),
      key: "inflight",
      storeTimeoutMs: 100,
      storeFailure: "deny",
      onStoreError: (e) => events.push(e),
    });
    await limiter.acquire(); // connected, script loaded
    const unhandled = await catchUnhandled(async () => {
      const calls = Array.from({ length: 20 }, () => limiter.acquire());
      const stopped = server.stop();
      const outcomes = await Promise.allSettled(calls);
      await stopped;
      // Decided by the server before it went, or denied with the cause.
      for (const outcome of outcomes) {
        if (outcome.status === "rejected") {
          assert.ok(outcome.reason instanceof RateLimitedError);
          assert.ok(outcome.reason.cause !== undefined);
        }
      }
      assert.ok(outcomes.some((o) => o.status === "rejected"));
      assert.ok(events.length >= 1);
    });
    assert.deepEqual(unhandled, []);
    // Back, so the client's reconnection ends before it is closed.
    await server.start();
    assert.equal(await client.command("PING"), "PONG");
    // The client's own reconnection timers end in its own time.
    await new Promise((r) => setTimeout(r, 100));
  },
);

Deno.test("RedisStore refuses a client without the needed methods, and a prefix that is not a string", () => {
  const action = "create the Redis store";
  assertThrowsWith(
    () => new RedisStore({ client: { get() {} } as never }),
    TypeError,
    `Cannot ${action} as 'client' must be a node-redis v5 client (evalSha, scriptLoad) or an ioredis client (evalsha, script): current value is an object`,
  );
  assertThrowsWith(
    () => new RedisStore({ client: null as never }),
    TypeError,
    `Cannot ${action} as 'client' must be a node-redis or ioredis client: current value is null`,
  );
  const client = {
    evalSha: () => Promise.resolve([]),
    scriptLoad: () => Promise.resolve("sha"),
  };
  assertThrowsWith(
    () => new RedisStore({ client, prefix: 7 as never }),
    TypeError,
    `Cannot ${action} as 'prefix' must be a string: current value is 7`,
  );
  assertThrowsWith(
    () => new RedisStore(undefined as never),
    TypeError,
    `Cannot ${action} as 'options' must be an options object: current value is undefined`,
  );
});

Deno.test("RedisStore rejects a reply that is not the script's, and a load that is not a SHA", async () => {
  const client = {
    evalSha: () => Promise.resolve("OK"),
    scriptLoad: () => Promise.resolve("sha"),
  };
  await assert.rejects(
    new RedisStore({ client }).takeTokens("a", bucket()),
    {
      name: "TypeError",
      message:
        `Cannot use the Redis reply as it must be an array of 4 items: current value is "OK"`,
    },
  );
  let loads = 0;
  const badLoad = {
    evalSha: () => Promise.resolve([1, 0, "0", "0"]),
    scriptLoad: () => (loads++, Promise.resolve(42 as unknown as string)),
  };
  const store = new RedisStore({ client: badLoad });
  await assert.rejects(store.takeTokens("a", bucket()), {
    name: "TypeError",
    message:
      "Cannot load the script as SCRIPT LOAD must answer a string: current value is 42",
  });
  await assert.rejects(store.takeTokens("a", bucket()), { name: "TypeError" });
  assert.equal(loads, 2); // a failed load is tried again
});

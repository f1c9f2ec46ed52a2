/**
 * The contenders of bench/fleet_bench.ts, each a `decide()` of one rate-limit
 * decision against one Redis server (the limit never binds: 1e9 per second,
 * so every decision is a grant, and each one still goes through the
 * contender's fleet-wide bookkeeping):
 * - pledge `RateLimiter` on `RedisStore` (ioredis and node-redis clients),
 *   exact: one EVALSHA per decision;
 * - the same with `lease: 100` (`leaseMs: 1000`): one EVALSHA per 100;
 * - rate-limiter-flexible 11.4.0 `RateLimiterRedis` on ioredis (its
 *   `consume`);
 * - bottleneck 2.19.5 with Redis clustering on ioredis (`schedule` of a job
 *   that resolves at once, a reservoir of 1e9 refreshed every second).
 *
 * Top-level commands sent are counted per contender (ioredis's
 * `sendCommand`, pledge's store calls), for the round trips per decision.
 *
 * @module
 */

import { createClient } from "redis";
import { Redis } from "ioredis";
import { RateLimiterRedis } from "rate-limiter-flexible";
import Bottleneck from "bottleneck";
import { RateLimiter, type RateLimiterStore, RedisStore } from "../mod.ts";

/** One contender. */
export interface Contender {
  name: string;
  decide(): Promise<unknown>;
  /** Top-level Redis commands sent so far. */
  commands(): number;
  close(): Promise<void>;
}

function countedIoRedis(port: number): { client: Redis; count: () => number } {
  const client = new Redis(port, "127.0.0.1");
  let count = 0;
  const send = client.sendCommand.bind(client);
  client.sendCommand = ((...args: Parameters<typeof send>) => {
    count++;
    return send(...args);
  }) as typeof client.sendCommand;
  return { client, count: () => count };
}

function countedStore(store: RedisStore): {
  store: RateLimiterStore;
  count: () => number;
} {
  let count = 0;
  return {
    store: {
      takeTokens(key, request) {
        count++;
        return store.takeTokens(key, request);
      },
    },
    count: () => count,
  };
}

const RATE = { limit: 1_000_000_000, intervalMs: 1000 };

/** Creates every contender on the server at `port`. */
export async function contenders(port: number): Promise<Contender[]> {
  const out: Contender[] = [];

  const io = new Redis(port, "127.0.0.1");
  const ioStore = countedStore(new RedisStore({ client: io }));
  const exactIo = new RateLimiter({
    ...RATE,
    store: ioStore.store,
    key: "exact-io",
  });
  out.push({
    name: "pledge RateLimiter, RedisStore (ioredis), exact",
    decide: () => exactIo.acquire(),
    commands: ioStore.count,
    close: () => Promise.resolve(io.disconnect()),
  });

  const nodeRedis = createClient({ url: `redis://127.0.0.1:${port}` });
  await nodeRedis.connect();
  const nodeStore = countedStore(new RedisStore({ client: nodeRedis }));
  const exactNode = new RateLimiter({
    ...RATE,
    store: nodeStore.store,
    key: "exact-node",
  });
  out.push({
    name: "pledge RateLimiter, RedisStore (node-redis), exact",
    decide: () => exactNode.acquire(),
    commands: nodeStore.count,
    close: () => Promise.resolve(nodeRedis.destroy()),
  });

  const ioLease = new Redis(port, "127.0.0.1");
  const leaseStore = countedStore(new RedisStore({ client: ioLease }));
  const leased = new RateLimiter({
    ...RATE,
    store: leaseStore.store,
    key: "leased",
    lease: 100,
    leaseMs: 1000,
  });
  out.push({
    name: "pledge RateLimiter, RedisStore (ioredis), lease 100",
    decide: () => leased.acquire(),
    commands: leaseStore.count,
    close: () => Promise.resolve(ioLease.disconnect()),
  });

  const rlfClient = countedIoRedis(port);
  const rlf = new RateLimiterRedis({
    storeClient: rlfClient.client,
    points: RATE.limit,
    duration: 1,
    keyPrefix: "rlf",
  });
  out.push({
    name: "rate-limiter-flexible RateLimiterRedis (ioredis)",
    decide: () => rlf.consume("k", 1),
    commands: rlfClient.count,
    close: () => Promise.resolve(rlfClient.client.disconnect()),
  });

  const bnClient = countedIoRedis(port);
  const connection = new Bottleneck.IORedisConnection({
    client: bnClient.client,
  });
  const bottleneck = new Bottleneck({
    id: "bench",
    datastore: "ioredis",
    connection,
    reservoir: RATE.limit,
    reservoirRefreshAmount: RATE.limit,
    reservoirRefreshInterval: 1000,
    maxConcurrent: null,
    minTime: 0,
  });
  await bottleneck.ready();
  const job = () => Promise.resolve(1);
  out.push({
    name: "bottleneck, Redis clustering (ioredis)",
    decide: () => bottleneck.schedule(job),
    commands: bnClient.count,
    close: async () => {
      await bottleneck.disconnect(false);
      bnClient.client.disconnect();
    },
  });
  return out;
}

/** `n` decisions, `lanes` at a time. */
export async function decideMany(
  contender: Contender,
  n: number,
  lanes = 50,
): Promise<void> {
  let left = n;
  const lane = async () => {
    while (left-- > 0) await contender.decide();
  };
  await Promise.all(Array.from({ length: lanes }, lane));
}

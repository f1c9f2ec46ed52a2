/**
 * One process of a fleet, for fleet_test.ts: a RateLimiter and a
 * CircuitBreaker on a shared store (node-redis, ioredis or Deno KV), driven
 * (or, as a negative control, an unshared `memory` store), driven
 * by JSON commands on stdin, one per line, each answered by one JSON line on
 * stdout. The limiter's grants are logged with the store's time of each
 * decision.
 *
 * Run: deno run -A --unstable-kv _fleet_worker.ts <kind> <target> <key>
 *
 * @module
 */

import { createClient } from "redis";
import { Redis } from "ioredis";
import {
  CircuitBreaker,
  ConsecutiveFailuresStrategy,
  DenoKvStore,
  type FleetStore,
  MemoryStore,
  RateLimiter,
  type RateLimiterStore,
  RedisStore,
} from "../../../mod.ts";

const [kind, target, key] = Deno.args as [string, string, string];
let store: FleetStore;
let close: () => Promise<void> | void;
if (kind === "node-redis") {
  const client = createClient({ url: target });
  await client.connect();
  store = new RedisStore({ client, prefix: "fleet:" });
  close = () => client.destroy();
} else if (kind === "ioredis") {
  const client = new Redis(target);
  store = new RedisStore({ client, prefix: "fleet:" });
  close = () => client.disconnect();
} else if (kind === "memory") {
  store = new MemoryStore(); // not shared: the negative control
  close = () => {};
} else {
  const kv = await Deno.openKv(target);
  store = new DenoKvStore({ kv, prefix: "fleet" });
  close = () => kv.close();
}

// Logs the store's time of every token granted.
const grants: number[] = [];
const logging: RateLimiterStore = {
  async takeTokens(name, request) {
    const grant = await store.takeTokens(name, request);
    for (let i = 0; i < grant.granted; i++) grants.push(grant.at);
    return grant;
  },
};

const breaker = new CircuitBreaker({
  strategy: new ConsecutiveFailuresStrategy({ threshold: 1 }),
  cooldownMs: 60_000,
  store,
  key,
  storeFailure: "deny",
  storeTimeoutMs: 30_000, // a loaded machine must not turn into a denial
});

type Command =
  | {
    cmd: "limit";
    n: number;
    limit: number;
    intervalMs: number;
    burst: number;
  }
  | { cmd: "call"; fail: boolean }
  | { cmd: "isolate" | "reset" | "exit" };

async function run(command: Command): Promise<unknown> {
  switch (command.cmd) {
    case "limit": {
      const limiter = new RateLimiter({
        limit: command.limit,
        intervalMs: command.intervalMs,
        burst: command.burst,
        store: logging,
        key,
        storeFailure: "deny",
        storeTimeoutMs: 30_000,
      });
      grants.length = 0;
      // Four callers at a time in this process.
      let left = command.n;
      const caller = async () => {
        while (left-- > 0) await limiter.acquire();
      };
      await Promise.all([caller(), caller(), caller(), caller()]);
      return { at: grants };
    }
    case "call":
      try {
        await breaker.execute(() =>
          command.fail ? Promise.reject(new Error("down")) : "up"
        );
        return { ok: true, state: breaker.state };
      } catch (error) {
        return {
          ok: false,
          error: (error as Error).name,
          state: breaker.state,
        };
      }
    case "isolate":
      await breaker.isolate();
      return { state: breaker.state };
    case "reset":
      await breaker.reset();
      return { state: breaker.state };
    case "exit":
      return { bye: true };
  }
}

const encoder = new TextEncoder();
const say = (value: unknown) =>
  Deno.stdout.write(encoder.encode(JSON.stringify(value) + "\n"));
await say({ ready: true });
let buffer = "";
for await (
  const chunk of Deno.stdin.readable.pipeThrough(new TextDecoderStream())
) {
  buffer += chunk;
  let newline: number;
  let exit = false;
  while ((newline = buffer.indexOf("\n")) >= 0) {
    const command = JSON.parse(buffer.slice(0, newline)) as Command;
    buffer = buffer.slice(newline + 1);
    await say(await run(command));
    if (command.cmd === "exit") exit = true;
  }
  if (exit) break;
}
await close();

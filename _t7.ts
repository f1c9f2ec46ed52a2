import { startRedis } from "./tests/resilience/stores/_redis_server.ts";
import { Redis } from "ioredis";
import { RateLimiterRedis } from "rate-limiter-flexible";
import { RateLimiter, RedisStore } from "./mod.ts";
await using server = await startRedis();
const r = new Redis(server.port, "127.0.0.1");
const store = new RedisStore({ client: r });
const req = {
  limit: 1e9,
  intervalMs: 1000,
  burst: 1e9,
  weight: 1,
  maxWeight: 1,
};
const limiter = new RateLimiter({
  limit: 1e9,
  intervalMs: 1000,
  store,
  key: "L",
});
const rlf = new RateLimiterRedis({
  storeClient: r,
  points: 1e9,
  duration: 1,
  keyPrefix: "rlf",
});
const sha = await r.script("LOAD", "return 1") as string;
const cases: Record<string, () => Promise<unknown>> = {
  rawEvalsha: () => r.evalsha(sha, 1, "x", "a"),
  store: () => store.takeTokens("s", req),
  limiter: () => limiter.acquire(),
  rlf: () => rlf.consume("k", 1),
};
const best: Record<string, number> = {};
for (let round = 0; round < 8; round++) {
  for (const [name, f] of Object.entries(cases)) {
    const t = performance.now();
    let left = 2000;
    await Promise.all(Array.from({ length: 50 }, async () => {
      while (left-- > 0) await f();
    }));
    const ms = (performance.now() - t) / 2;
    best[name] = Math.min(best[name] ?? Infinity, ms);
  }
}
console.log(
  Object.entries(best).map(([k, v]) => `${k}: ${v.toFixed(1)} ms/1000`).join(
    "\n",
  ),
);
r.disconnect();

import { startRedis } from "./tests/resilience/stores/_redis_server.ts";
import { Redis } from "ioredis";
import { REDIS_SCRIPT } from "./src/resilience/stores/_redis_script.ts";
await using server = await startRedis();
const r = new Redis(server.port, "127.0.0.1");
const take = REDIS_SCRIPT.split("elseif op == 'circuit'")[0] + " end";
const lean = `
local t = redis.call('TIME')
local now = t[1] * 1000 + t[2] / 1000
local cost = ARGV[3] / ARGV[2]
local base = now
local tat = tonumber(redis.call('GET', KEYS[1]))
if tat and tat > now then base = tat end
local tokens = math.floor((now + ARGV[4] * cost - base) / cost)
local maxw = tonumber(ARGV[6])
if tokens > maxw then tokens = maxw end
if tokens >= tonumber(ARGV[5]) then
  local nt = base + tokens * cost
  redis.call('SET', KEYS[1], string.format('%.17g', nt), 'PX', math.ceil(nt - now) + 1)
  return {tokens, 0, t[1], t[2]}
end
return {0, 1, t[1], t[2]}`;
const rlfLike =
  `local ok = redis.call('set', KEYS[1], 0, 'EX', ARGV[2], 'NX') local consumed = redis.call('incrby', KEYS[1], ARGV[1]) local ttl = redis.call('pttl', KEYS[1]) return {consumed, ttl}`;
const variants: Record<string, string> = {
  full: REDIS_SCRIPT,
  take,
  lean,
  rlfLike,
};
const best: Record<string, number> = {};
const shas: Record<string, string> = {};
for (const [name, src] of Object.entries(variants)) {
  shas[name] = await r.script("LOAD", src) as string;
}
for (let round = 0; round < 6; round++) {
  for (const name of Object.keys(variants)) {
    await r.config("RESETSTAT");
    const ps = [];
    const args = name === "rlfLike"
      ? ["1", "1"]
      : ["take", "1000000000", "1000", "1000000000", "1", "1"];
    for (let i = 0; i < 3000; i++) {
      ps.push(r.evalsha(shas[name]!, 1, "k" + name, ...args));
    }
    await Promise.all(ps);
    const s = String(await r.info("commandstats")).split("\n").find((l) =>
      l.includes("evalsha")
    );
    best[name] = Math.min(
      best[name] ?? Infinity,
      Number(s?.match(/usec_per_call=([\d.]+)/)?.[1]),
    );
  }
}
console.log(best);
r.disconnect();

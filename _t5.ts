import { contenders, decideMany } from "./bench/_fleet_contenders.ts";
import { startRedis } from "./tests/resilience/stores/_redis_server.ts";
import { Redis } from "ioredis";
await using server = await startRedis();
const admin = new Redis(server.port, "127.0.0.1");
const all = await contenders(server.port);
for (const c of [all[0]!, all[3]!]) {
  await decideMany(c, 2000);
  await admin.config("RESETSTAT");
  await decideMany(c, 10000);
  const stats = String(await admin.info("commandstats")).split("\n").filter((
    l,
  ) => l.includes("evalsha"));
  console.log(c.name, stats.join(" "));
}
admin.disconnect();
for (const c of all) await c.close();

import { contenders, decideMany } from "./bench/_fleet_contenders.ts";
import { startRedis } from "./tests/resilience/stores/_redis_server.ts";
await using server = await startRedis();
const all = await contenders(server.port);
for (let round = 0; round < 3; round++) {
  for (const c of all.slice(0, 4)) {
    const t = performance.now();
    await decideMany(c, 10000);
    console.log(
      round,
      c.name.padEnd(55),
      ((performance.now() - t) / 10).toFixed(1),
      "ms/1000",
    );
  }
}
for (const c of all) await c.close();

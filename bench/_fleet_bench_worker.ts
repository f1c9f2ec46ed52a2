/**
 * One of the four processes of bench/fleet_bench.ts: holds every contender
 * on the shared server and runs `{ run: name, n }` commands from stdin (one
 * JSON line each), answering `{ done: true }`.
 *
 * Run: deno run -A bench/_fleet_bench_worker.ts <port>
 *
 * @module
 */

import { contenders, decideMany } from "./_fleet_contenders.ts";

const all = await contenders(Number(Deno.args[0]));
const byName = new Map(all.map((c) => [c.name, c]));
const encoder = new TextEncoder();
const say = (value: unknown) =>
  Deno.stdout.write(encoder.encode(JSON.stringify(value) + "\n"));
await say({ ready: true });
let buffer = "";
loop: for await (
  const chunk of Deno.stdin.readable.pipeThrough(new TextDecoderStream())
) {
  buffer += chunk;
  let newline: number;
  while ((newline = buffer.indexOf("\n")) >= 0) {
    const command = JSON.parse(buffer.slice(0, newline));
    buffer = buffer.slice(newline + 1);
    if (command.exit) break loop;
    await decideMany(byName.get(command.run)!, command.n);
    await say({ done: true });
  }
}
for (const contender of all) await contender.close();
Deno.exit(0);

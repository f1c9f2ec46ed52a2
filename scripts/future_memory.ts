/**
 * Bytes per pending future, against native promises, one fresh process per
 * variant. Run: `deno run -A scripts/future_memory.ts` (it re-runs itself with
 * `--v8-flags=--expose-gc`).
 *
 * @module
 */
import { Completer, Future } from "../mod.ts";

const COUNT = 1_000_000;
const shared = (x: unknown) => x;
const noop = (): void => {};

const variants: Record<string, (i: number) => unknown> = {
  "native pending": () => new Promise(() => {}),
  "Future pending": () => new Future(noop),
  "native pending + .then(shared)": () => {
    const p = new Promise(() => {});
    p.then(shared);
    return p;
  },
  "Future pending + .then(shared)": () => {
    const f = new Future(noop);
    f.then(shared);
    return f;
  },
  "native withResolvers (deferred)": () => Promise.withResolvers(),
  "Completer (deferred)": () => new Completer(),
};

const gc = (globalThis as { gc?: () => void }).gc;
const variant = Deno.args[0];

if (variant !== undefined && gc) {
  const make = variants[variant]!;
  const arr = new Array(COUNT);
  for (let i = 0; i < COUNT; i++) arr[i] = 0;
  gc();
  gc();
  const before = Deno.memoryUsage().heapUsed;
  for (let i = 0; i < COUNT; i++) arr[i] = make(i);
  gc();
  gc();
  const per = (Deno.memoryUsage().heapUsed - before) / COUNT;
  console.log(`${variant.padEnd(34)} ${per.toFixed(1)} B`);
  if (arr.length !== COUNT) throw new Error("unreachable");
} else {
  for (const name of Object.keys(variants)) {
    const out = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        "--v8-flags=--expose-gc",
        new URL(import.meta.url).pathname,
        name,
      ],
    }).output();
    await Deno.stdout.write(out.stdout);
    await Deno.stderr.write(out.stderr);
  }
}

/**
 * Heap retained by completed operations while their long-lived parent lives:
 * pledge's linked tokens and derived signals against `AbortSignal.any`.
 *
 * Run: `deno run -A --v8-flags=--expose-gc scripts/cancel_memory.ts` (without
 * the flag it re-runs itself with it). Exits with 1 when a pledge scenario
 * grows the heap by 1 MB or more.
 *
 * @module
 */
import {
  abortable,
  anySignal,
  type CancellationToken,
  CancellationTokenSource,
} from "../mod.ts";

const gc = (globalThis as { gc?: () => void }).gc;
const LIMIT_BYTES = 1024 * 1024;
const noop = (): void => {};

// Parents live on a global holder, so V8 cannot treat them as dead.
const holder = globalThis as unknown as { parents?: unknown[] | undefined };

async function settle(): Promise<number> {
  for (let i = 0; i < 4; i++) {
    await new Promise((r) => setTimeout(r, 0));
    gc!();
  }
  return Deno.memoryUsage().heapUsed;
}

interface Scenario {
  name: string;
  ops: number;
  pledge: boolean;
  /** Runs `count` operations against the parents. */
  run(
    count: number,
    parent: AbortSignal,
    token: CancellationToken,
  ): void | Promise<void>;
}

const scenarios: Scenario[] = [
  {
    name: "linked(token) + register + dispose",
    ops: 1_000_000,
    pledge: true,
    run(count, _parent, token) {
      for (let i = 0; i < count; i++) {
        using op = CancellationTokenSource.linked(token);
        op.token.register(noop);
      }
    },
  },
  {
    name: "linked(signal, token) + signal listener + dispose",
    ops: 1_000_000,
    pledge: true,
    run(count, parent, token) {
      for (let i = 0; i < count; i++) {
        using op = CancellationTokenSource.linked(parent, token);
        op.token.signal.addEventListener("abort", noop);
      }
    },
  },
  {
    name: "anySignal([parent, local]) + listener + dispose",
    ops: 1_000_000,
    pledge: true,
    run(count, parent) {
      for (let i = 0; i < count; i++) {
        using signal = anySignal([parent, new AbortController().signal]);
        signal.addEventListener("abort", noop);
      }
    },
  },
  {
    name: "abortable(resolved, parent), settled",
    ops: 1_000_000,
    pledge: true,
    async run(count, parent) {
      for (let i = 0; i < count; i += 10_000) {
        const batch: PromiseLike<number>[] = [];
        for (let j = 0; j < 10_000; j++) {
          batch.push(abortable(Promise.resolve(j), parent));
        }
        await Promise.all(batch);
      }
    },
  },
  {
    name: "reference: AbortSignal.any([parent, local]) + listener",
    ops: 100_000,
    pledge: false,
    run(count, parent) {
      for (let i = 0; i < count; i++) {
        const signal = AbortSignal.any([parent, new AbortController().signal]);
        signal.addEventListener("abort", noop);
      }
    },
  },
];

if (!gc) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      "--v8-flags=--expose-gc",
      new URL(import.meta.url).pathname,
    ],
  }).output();
  await Deno.stdout.write(out.stdout);
  await Deno.stderr.write(out.stderr);
  Deno.exit(out.code);
}

let failed = false;
console.log(
  `${"scenario".padEnd(52)} ${"ops".padStart(9)} ${"growth".padStart(10)} ${
    "per op".padStart(10)
  }`,
);
for (const scenario of scenarios) {
  const controller = new AbortController();
  const source = new CancellationTokenSource();
  holder.parents = [controller, source];
  // Warm up, so compiled code and lazily created shared objects are not
  // counted as growth.
  await scenario.run(1000, controller.signal, source.token);
  const before = await settle();
  await scenario.run(scenario.ops, controller.signal, source.token);
  const after = await settle();
  const growth = after - before;
  const mb = (growth / 1024 / 1024).toFixed(3);
  const per = (growth / scenario.ops).toFixed(2);
  const verdict = scenario.pledge
    ? (growth < LIMIT_BYTES ? "ok (< 1 MB)" : "FAIL (>= 1 MB)")
    : "(reference)";
  if (scenario.pledge && growth >= LIMIT_BYTES) failed = true;
  console.log(
    `${scenario.name.padEnd(52)} ${String(scenario.ops).padStart(9)} ${
      `${mb} MB`.padStart(10)
    } ${`${per} B`.padStart(10)}  ${verdict}`,
  );
  holder.parents = undefined;
  await settle();
}
if (failed) Deno.exit(1);

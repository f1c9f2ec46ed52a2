import { PooledExecutor, type Future } from "./mod.ts";
import pLimit from "p-limit";
import PQueue from "p-queue";
const N = 10_000, C = 8;
const items = Array.from({ length: N }, (_, i) => i);
const task = async (x: number) => x;
const cases: Record<string, () => Promise<unknown>> = {
  plimit: async () => { const l = pLimit(C); return await Promise.all(items.map((x) => l(() => task(x)))); },
  pqueue: async () => { const q = new PQueue({ concurrency: C }); return await Promise.all(items.map((x) => q.add(() => task(x)))); },
  pledgeAll: async () => { const p = new PooledExecutor({ concurrency: C }); return await Promise.all(items.map((x) => p.submit(() => task(x)))); },
  pledgeIdle: async () => { const p = new PooledExecutor({ concurrency: C }); const fs: Future<number>[] = items.map((x) => p.submit(() => task(x))); await p.onIdle(); return fs.map((f) => f.value); },
};
const times: Record<string, number[]> = {};
for (const k in cases) times[k] = [];
for (let r = 0; r < 60; r++) for (const k in cases) { const t = performance.now(); await cases[k]!(); times[k]!.push(performance.now() - t); }
const med = (a: number[]) => { const s = a.slice(20).sort((x, y) => x - y); return s[s.length >> 1]!; };
const m: Record<string, number> = {}; for (const k in cases) m[k] = med(times[k]!);
console.log(Object.entries(m).map(([k, v]) => `${k} ${v.toFixed(2)}ms`).join(" | "));
console.log(`pledgeAll vs plimit ${(m.plimit! / m.pledgeAll!).toFixed(2)}x, vs pqueue ${(m.pqueue! / m.pledgeAll!).toFixed(1)}x; pledgeIdle vs plimit ${(m.plimit! / m.pledgeIdle!).toFixed(1)}x, vs pqueue ${(m.pqueue! / m.pledgeIdle!).toFixed(1)}x`);

import assert from "node:assert/strict";
import { DurationStats, PoolStats } from "../../src/workers/_stats.ts";

Deno.test("DurationStats summarises every sample and the percentiles of the latest", () => {
  const stats = new DurationStats();
  for (let i = 1; i <= 100; i++) stats.add(i);
  const s = stats.summary();
  assert.equal(s.count, 100);
  assert.equal(s.mean, 50.5);
  assert.equal(s.min, 1);
  assert.equal(s.max, 100);
  assert.equal(s.p50, 51);
  assert.equal(s.p95, 96);
  assert.equal(s.p99, 100);
  stats.add(1, 2000); // a batch of 2,000 equal samples fills the window
  const after = stats.summary();
  assert.equal(after.count, 2100);
  assert.equal(after.p99, 1);
  assert.equal(after.max, 100);
});

Deno.test("PoolStats measures utilisation as busy time over worker lifetime", () => {
  const stats = new PoolStats();
  assert.equal(stats.snapshot([], 0, 0).utilisation, 0);
  stats.reported(30, 3);
  stats.workerEnded(40);
  const s = stats.snapshot([60], 1, 2);
  assert.equal(s.workers, 1);
  assert.equal(s.running, 1);
  assert.equal(s.queued, 2);
  assert.equal(s.utilisation, 0.3);
  assert.equal(s.runTime.count, 3);
  assert.equal(s.runTime.mean, 10);
});

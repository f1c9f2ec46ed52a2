import assert from "node:assert/strict";
import {
  BatchPolicy,
  MAX_BATCH,
  PIPELINE_MS,
} from "../../src/workers/_batching.ts";

Deno.test("BatchPolicy sends one task at a time, to idle workers only, until it has measured one", () => {
  const policy = new BatchPolicy();
  assert.ok(Number.isNaN(policy.taskMs));
  assert.equal(policy.batchSize(), 1);
  assert.equal(policy.inFlightLimit(), 0);
  policy.record(5, 0); // nothing ran: nothing learnt
  assert.equal(policy.batchSize(), 1);
});

Deno.test("BatchPolicy batches small tasks, at most MAX_BATCH, and pipelines them", () => {
  const policy = new BatchPolicy();
  policy.record(0.5, 1000); // 0.5 µs per task
  assert.equal(policy.batchSize(), MAX_BATCH);
  assert.equal(policy.inFlightLimit(), MAX_BATCH);
  const medium = new BatchPolicy();
  medium.record(0.1, 1); // 0.1 ms per task: 10 fit in a 1 ms batch
  assert.equal(medium.batchSize(), 10);
  assert.ok(medium.taskMs < PIPELINE_MS);
  assert.equal(medium.inFlightLimit(), 10);
});

Deno.test("BatchPolicy sends long tasks one by one, to idle workers only", () => {
  const policy = new BatchPolicy();
  policy.record(40, 2);
  assert.equal(policy.taskMs, 20);
  assert.equal(policy.batchSize(), 1);
  assert.equal(policy.inFlightLimit(), 0);
});

Deno.test("BatchPolicy follows a change of task size as a moving average", () => {
  const policy = new BatchPolicy();
  policy.record(0.01, 100); // tiny
  assert.equal(policy.batchSize(), MAX_BATCH);
  for (let i = 0; i < 20; i++) policy.record(50, 1); // then long ones
  assert.equal(policy.batchSize(), 1);
  assert.equal(policy.inFlightLimit(), 0);
});

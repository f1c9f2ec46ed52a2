import assert from "node:assert/strict";
import { notify, reportError } from "../../src/core/_report.ts";
import { catchReported } from "../_support.ts";

Deno.test("reportError() rethrows on a microtask, not synchronously", async () => {
  const error = new Error("reported");
  let returned = false;
  const caught = await catchReported(() => {
    reportError(error);
    returned = true;
  });
  assert.equal(returned, true);
  assert.deepEqual(caught, [error]);
});

Deno.test("notify() calls the observer and reports what it throws", async () => {
  const seen: number[] = [];
  const caught = await catchReported(() => {
    notify((n: number) => seen.push(n), 1);
    notify(() => {
      throw new Error("observer");
    }, 2);
    notify((n: number) => seen.push(n), 3);
  });
  assert.deepEqual(seen, [1, 3]);
  assert.deepEqual(caught.map((e) => (e as Error).message), ["observer"]);
});

import assert from "node:assert/strict";
import { transferResult } from "../../mod.ts";
import { isTransferred } from "../../src/workers/transfer.ts";

Deno.test("transferResult() marks a value with its transfer list", () => {
  const bytes = new Uint8Array(8);
  const marked = transferResult(bytes, [bytes.buffer]);
  assert.equal(marked.value, bytes);
  assert.deepEqual(marked.transfer, [bytes.buffer]);
  assert.equal(isTransferred(marked), true);
  assert.equal(isTransferred({ value: bytes, transfer: [] }), false);
  assert.equal(isTransferred(null), false);
});

Deno.test("transferResult() is recognised across copies of the module", () => {
  // The brand is a registered symbol, not a module-local one.
  const foreign = {
    [Symbol.for("@pledge/core/transferred")]: true,
    value: 1,
    transfer: [],
  };
  assert.equal(isTransferred(foreign), true);
});

Deno.test("transferResult() refuses a transfer list that is not an array", () => {
  assert.throws(() => transferResult(1, "buffer" as never), {
    name: "TypeError",
    message:
      `Cannot transfer the result as 'transfer' must be an array: current value is "buffer"`,
  });
});

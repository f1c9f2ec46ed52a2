import assert from "node:assert/strict";
import {
  packResult,
  transferables,
  unpackResult,
} from "../../site/src/packed.ts";
import { runSnippet } from "../../site/src/run.ts";

Deno.test("packResult() and unpackResult() carry a run through the worker boundary unchanged", () => {
  const result = runSnippet(
    `
const t = setTimeout(() => console.log("never"), 50);
const i = setInterval(() => { console.log("tick"); clearInterval(i); clearTimeout(t); }, 10);
Promise.resolve().then(() => console.warn("warned"));
nope();`,
    { profile: "html" },
  );
  const packed = packResult(result);
  assert.equal(transferables(packed).length, 4);
  const copy = structuredClone(packed, { transfer: transferables(packed) });
  assert.deepEqual(unpackResult(copy), result);
  assert.equal(
    new Set(packed.strings).size,
    packed.strings.length,
    "each string once",
  );
});

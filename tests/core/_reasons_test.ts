import assert from "node:assert/strict";
import { abortError, timeoutError } from "../../src/core/_reasons.ts";

Deno.test("abortError() is a DOMException named AbortError, as AbortController.abort() gives", () => {
  const controller = new AbortController();
  controller.abort();
  const platform = controller.signal.reason as DOMException;
  const ours = abortError();
  assert.ok(ours instanceof DOMException);
  assert.equal(ours.name, platform.name);
  assert.equal(ours.code, platform.code);
  assert.equal(ours.message, "This operation was aborted");
  assert.equal(
    abortError("The task was cleared").message,
    "The task was cleared",
  );
});

Deno.test("timeoutError(ms) is a DOMException named TimeoutError, as AbortSignal.timeout() gives", () => {
  const ours = timeoutError(250);
  assert.ok(ours instanceof DOMException);
  assert.equal(ours.name, "TimeoutError");
  assert.equal(ours.code, DOMException.TIMEOUT_ERR);
  assert.equal(ours.message, "The operation timed out after 250 ms");
});

import assert from "node:assert/strict";
import { decode, encode } from "../../src/workers/_protocol.ts";

// What crosses threads is structured-cloned: the codec must survive it.
const roundTrip = (value: unknown): unknown =>
  decode(structuredClone(encode(value)));

Deno.test("encode() and decode() keep an error's class, name, message, stack, cause and fields", () => {
  class HttpError extends Error {
    readonly status = 503;
    constructor() {
      super("unavailable", { cause: new TypeError("socket closed") });
      this.name = "HttpError";
    }
  }
  const original = new HttpError();
  const copy = roundTrip(original) as Error & { status: number };
  assert.ok(copy instanceof Error);
  assert.equal(copy.name, "HttpError");
  assert.equal(copy.message, "unavailable");
  assert.equal(copy.stack, original.stack);
  assert.equal(copy.status, 503);
  assert.ok(copy.cause instanceof TypeError);
  assert.equal((copy.cause as Error).message, "socket closed");
  assert.ok(roundTrip(new RangeError("r")) instanceof RangeError);
});

Deno.test("encode() and decode() keep DOMExceptions and AggregateErrors", () => {
  const timeout = roundTrip(new DOMException("late", "TimeoutError"));
  assert.ok(timeout instanceof DOMException);
  assert.equal((timeout as DOMException).name, "TimeoutError");
  const many = roundTrip(
    new AggregateError([new Error("a"), "b"], "all failed"),
  ) as AggregateError;
  assert.ok(many instanceof AggregateError);
  assert.equal(many.message, "all failed");
  assert.equal((many.errors[0] as Error).message, "a");
  assert.equal(many.errors[1], "b");
});

Deno.test("encode() passes values through and turns what cannot be cloned into a DataCloneError", () => {
  assert.deepEqual(roundTrip({ code: 7 }), { code: 7 });
  assert.equal(roundTrip(undefined), undefined);
  const fn = roundTrip(() => 1) as DOMException;
  assert.equal(fn.name, "DataCloneError");
  // A field that cannot be cloned is left out, the error still crosses.
  const error = Object.assign(new Error("x"), { callback: () => {}, id: 1 });
  const copy = roundTrip(error) as Error & { callback?: unknown; id: number };
  assert.equal(copy.callback, undefined);
  assert.equal(copy.id, 1);
});

Deno.test("encode() stops at a cause that refers back to its error", () => {
  const error = new Error("loop") as Error & { cause?: unknown };
  error.cause = error;
  const copy = roundTrip(error) as Error;
  assert.equal(copy.message, "loop");
});

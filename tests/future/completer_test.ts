import assert from "node:assert/strict";
import { Completer, Future, InvalidStateError } from "../../mod.ts";

Deno.test("Completer.resolve() throws InvalidStateError on a second completion", async () => {
  const c = new Completer<number>();
  assert.equal(c.isCompleted, false);
  c.resolve(1);
  assert.equal(c.isCompleted, true);
  assert.throws(() => c.resolve(2), {
    name: "InvalidStateError",
    message: "Cannot resolve the completer as it is already completed",
  });
  assert.throws(() => c.reject(new Error("x")), InvalidStateError);
  assert.equal(await c.future, 1);
});

Deno.test("Completer.reject() throws InvalidStateError on a second completion", async () => {
  const c = new Completer<number>();
  c.reject(new Error("first"));
  assert.throws(() => c.reject(new Error("second")), {
    name: "InvalidStateError",
    message: "Cannot reject the completer as it is already completed",
  });
  await assert.rejects(c.future, /first/);
});

Deno.test("Completer.tryResolve() and tryReject() report whether they completed", async () => {
  const c = new Completer<string>();
  assert.equal(c.tryReject(new Error("won")), true);
  assert.equal(c.tryResolve("lost"), false);
  assert.equal(c.tryReject(new Error("lost")), false);
  await assert.rejects(c.future, /won/);
});

Deno.test("Completer resolved with a pending thenable is completed while its future is pending", async () => {
  const inner = new Completer<number>();
  const c = new Completer<number>();
  c.resolve(inner.future);
  assert.equal(c.isCompleted, true);
  assert.equal(c.future.state, "pending");
  assert.equal(c.tryResolve(5), false);
  inner.resolve(6);
  assert.equal(await c.future, 6);
  const rejected = new Completer<number>();
  rejected.resolve(Future.reject(new Error("adopted")));
  await assert.rejects(rejected.future, /adopted/);
});

Deno.test("Completer.future is the same future every time", () => {
  const c = new Completer<void>();
  assert.equal(c.future, c.future);
  assert.ok(c.future instanceof Future);
});

import assert from "node:assert/strict";
import { Future, Result } from "@pledge/core";

Deno.test("Result.ok() and Result.err() make plain discriminated values", () => {
  const good = Result.ok(1);
  const bad = Result.err(new Error("x"));
  assert.deepEqual(good, { ok: true, value: 1 });
  assert.equal(bad.ok, false);
  assert.equal(JSON.stringify(Result.ok([1])), `{"ok":true,"value":[1]}`);
  const either: Result<number, Error> = Math.random() < 2 ? good : bad;
  if (either.ok) assert.equal(either.value + 1, 2);
  else assert.fail("narrowing");
});

Deno.test("Result.attempt() captures a synchronous value or throw", () => {
  assert.deepEqual(Result.attempt(() => 5), { ok: true, value: 5 });
  const error = new RangeError("bad");
  assert.deepEqual(
    Result.attempt(() => {
      throw error;
    }),
    { ok: false, error },
  );
  const parsed = Result.attempt(() => JSON.parse("{"));
  assert.equal(parsed.ok, false);
  assert.ok(!parsed.ok && parsed.error instanceof SyntaxError);
  assert.deepEqual(Result.attempt(() => undefined), {
    ok: true,
    value: undefined,
  });
});

Deno.test("Result.attempt() returns a future of a result for async work, never rejecting", async () => {
  // deno-lint-ignore require-await
  const fulfilled = Result.attempt(async () => 7);
  assert.ok(fulfilled instanceof Future);
  assert.deepEqual(await fulfilled, { ok: true, value: 7 });
  const error = new Error("late");
  const rejected = Result.attempt(() => Promise.reject(error));
  assert.deepEqual(await rejected, { ok: false, error });
  const thenable = { then: (resolve: (v: string) => void) => resolve("t") };
  assert.deepEqual(await Result.attempt(() => thenable), {
    ok: true,
    value: "t",
  });
});

Deno.test("Result.map() and Result.mapError() transform one side only", () => {
  const good = Result.ok(2) as Result<number, string>;
  const bad = Result.err("e") as Result<number, string>;
  assert.deepEqual(Result.map(good, (x) => x * 3), Result.ok(6));
  assert.equal(Result.map(bad, (x) => x * 3), bad);
  assert.deepEqual(
    Result.mapError(bad, (e) => e.toUpperCase()),
    Result.err("E"),
  );
  assert.equal(Result.mapError(good, (e) => e.toUpperCase()), good);
  let called = false;
  Result.map(bad, () => (called = true));
  Result.mapError(good, () => (called = true));
  assert.equal(called, false);
});

Deno.test("Result.unwrapOr() and Result.match() read either side", () => {
  assert.equal(Result.unwrapOr(Result.ok(1), 9), 1);
  assert.equal(Result.unwrapOr(Result.err("x"), 9), 9);
  const seen: string[] = [];
  const handlers = {
    ok: (v: number) => (seen.push(`ok ${v}`), "O"),
    err: (e: string) => (seen.push(`err ${e}`), "E"),
  };
  assert.equal(Result.match(Result.ok(1), handlers), "O");
  assert.equal(Result.match(Result.err("x"), handlers), "E");
  assert.deepEqual(seen, ["ok 1", "err x"]);
});

Deno.test("Result.isOk() and Result.isErr() are guards usable as callbacks", () => {
  const all: Result<number, string>[] = [
    Result.ok(1),
    Result.err("a"),
    Result.ok(2),
  ];
  const values: number[] = all.filter(Result.isOk).map((r) => r.value);
  const errors: string[] = all.filter(Result.isErr).map((r) => r.error);
  assert.deepEqual(values, [1, 2]);
  assert.deepEqual(errors, ["a"]);
  assert.ok(Object.isFrozen(Result));
});

Deno.test("Result helpers reject bad input with the option and value named", () => {
  assert.throws(() => Result.attempt(5 as unknown as () => number), {
    name: "TypeError",
    message: "Cannot attempt as 'fn' must be a function: current value is 5",
  });
  for (const value of [null, 0, "ok", {}]) {
    assert.throws(
      () => Result.map(value as unknown as Result<number>, (x) => x),
      (e: Error) =>
        e instanceof TypeError &&
        e.message.startsWith(
          "Cannot map a result as 'result' must be a Result",
        ),
    );
    assert.throws(
      () => Result.unwrapOr(value as unknown as Result<number>, 0),
      TypeError,
    );
  }
  assert.throws(() => Result.map(Result.ok(1), null as never), {
    name: "TypeError",
    message:
      "Cannot map a result as 'fn' must be a function: current value is null",
  });
  assert.throws(() => Result.mapError(Result.ok(1), 1 as never), TypeError);
  assert.throws(
    () => Result.match(Result.ok(1), { ok: () => 1 } as never),
    {
      name: "TypeError",
      message:
        "Cannot match a result as 'handlers.err' must be a function: current value is undefined",
    },
  );
  assert.throws(() => Result.match(Result.ok(1), null as never), TypeError);
});

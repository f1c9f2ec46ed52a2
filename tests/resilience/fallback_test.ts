import assert from "node:assert/strict";
import { fallbackPolicy, type PolicyContext } from "@pledge/core";
import { abortListeners, catchReported, catchUnhandled } from "../_support.ts";

Deno.test("fallbackPolicy() replaces a failure with a value, and passes successes through", async () => {
  const policy = fallbackPolicy("cached");
  assert.equal(
    await policy.execute(() => Promise.reject(new Error("down"))),
    "cached",
  );
  assert.equal(
    await policy.execute(() => {
      throw new Error("sync");
    }),
    "cached",
  );
  assert.equal(await policy.execute(() => "fresh"), "fresh");
  // deno-lint-ignore require-await
  assert.equal(await policy.execute(async () => 42), 42);
});

Deno.test("fallbackPolicy() calls a function with the error and the context", async () => {
  const seen: [unknown, PolicyContext][] = [];
  const policy = fallbackPolicy((error, context) => {
    seen.push([error, context]);
    return Promise.resolve(`fallback for ${(error as Error).message}`);
  });
  const controller = new AbortController();
  const result = await policy.execute(() => Promise.reject(new Error("x")), {
    signal: controller.signal,
    attempt: 3,
  });
  assert.equal(result, "fallback for x");
  assert.equal((seen[0]![0] as Error).message, "x");
  assert.equal(seen[0]![1].signal, controller.signal);
  assert.equal(seen[0]![1].attempt, 3);
  const failing = fallbackPolicy(() =>
    Promise.reject(new Error("fallback failed too"))
  );
  await assert.rejects(failing.execute(() => Promise.reject(new Error("x"))), {
    message: "fallback failed too",
  });
  const functionValue = () => "a function value";
  const wrapped = fallbackPolicy(() => functionValue);
  assert.equal(
    await wrapped.execute(() => Promise.reject(new Error())),
    functionValue,
  );
});

Deno.test("fallbackPolicy() replaces only what shouldHandle() accepts, seeing the classification", async () => {
  const seen: string[] = [];
  const policy = fallbackPolicy("stale", {
    shouldHandle: (_error, classification) => {
      seen.push(classification);
      return classification === "transient" || classification === "timeout";
    },
  });
  assert.equal(
    await policy.execute(() =>
      Promise.reject(new Response(null, { status: 503 }))
    ),
    "stale",
  );
  assert.equal(
    await policy.execute(() =>
      Promise.reject(new DOMException("", "TimeoutError"))
    ),
    "stale",
  );
  const bug = new TypeError("bug");
  await assert.rejects(
    policy.execute(() => Promise.reject(bug)),
    (e) => e === bug,
  );
  assert.deepEqual(seen, ["transient", "timeout", "permanent"]);
});

Deno.test("fallbackPolicy() never replaces an abort of the caller's signal", async () => {
  const policy = fallbackPolicy("replacement");
  const before = new AbortController();
  before.abort("early");
  let calls = 0;
  await assert.rejects(
    policy.execute(() => calls++, { signal: before.signal }),
    (e) => e === "early",
  );
  assert.equal(calls, 0);

  const during = new AbortController();
  const result = policy.execute(
    ({ signal }) =>
      new Promise((_, reject) =>
        signal.addEventListener("abort", () => reject(new Error("stopped")))
      ),
    { signal: during.signal },
  );
  during.abort("late");
  await assert.rejects(result, (e) => e === "late");
  // fn's own listener is fn's business; the policy added none.
  assert.equal(abortListeners(during.signal), 1);
});

Deno.test("fallbackPolicy() reports onFallback, and a throwing observer changes nothing", async () => {
  const errors: unknown[] = [];
  const thrown = await catchReported(async () => {
    const policy = fallbackPolicy(0, {
      onFallback: (error) => {
        errors.push(error);
        throw new Error("observer bug");
      },
    });
    assert.equal(await policy.execute(() => Promise.reject("x")), 0);
  });
  assert.deepEqual(errors, ["x"]);
  assert.equal((thrown[0] as Error).message, "observer bug");
});

Deno.test("fallbackPolicy() rejects bad options, and execute() bad arguments as rejections", async () => {
  assert.throws(() => fallbackPolicy(1, { shouldHandle: 1 as never }), {
    name: "TypeError",
    message:
      "Cannot create a fallback policy as 'shouldHandle' must be a function: current value is 1",
  });
  assert.throws(
    () => fallbackPolicy(1, { onFallback: "x" as never }),
    TypeError,
  );
  assert.throws(
    () => fallbackPolicy(1, { classifier: {} as never }),
    TypeError,
  );
  assert.throws(() => fallbackPolicy(1, 0 as never), TypeError);
  const policy = fallbackPolicy(1);
  await assert.rejects(policy.execute(null as never), {
    name: "TypeError",
    message:
      "Cannot execute the policy as 'fn' must be a function: current value is null",
  });
  await assert.rejects(
    policy.execute(() => 1, { signal: {} as never }),
    TypeError,
  );
});

Deno.test("fallbackPolicy() leaves no unhandled rejection when the caller aborts or the fallback fails", async () => {
  const unhandled = await catchUnhandled(async () => {
    const controller = new AbortController();
    const policy = fallbackPolicy(() => Promise.reject(new Error("no cache")));
    const call = policy.execute(
      ({ signal }) =>
        new Promise((_, reject) =>
          signal.addEventListener("abort", () => reject(new Error("own")))
        ),
      { signal: controller.signal },
    );
    controller.abort(new Error("caller"));
    await assert.rejects(call, { message: "caller" });
    await assert.rejects(
      policy.execute(() => Promise.reject(new Error("down"))),
      { message: "no cache" },
    );
  });
  assert.deepEqual(unhandled, []);
});

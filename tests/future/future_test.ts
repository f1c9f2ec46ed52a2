import assert from "node:assert/strict";
import {
  Completer,
  type Executor,
  Future,
  inlineExecutor,
  InvalidStateError,
  microtaskExecutor,
  VirtualClock,
} from "../../mod.ts";
import { catchReported, catchUnhandled, countedSignal } from "../_support.ts";

Deno.test("Future exposes its state synchronously", async () => {
  const c = new Completer<number>();
  const f = c.future;
  assert.equal(f.state, "pending");
  assert.equal(f.isSettled, false);
  assert.throws(() => f.value, InvalidStateError);
  assert.throws(() => f.reason, InvalidStateError);
  c.resolve(3);
  assert.equal(f.state, "fulfilled");
  assert.equal(f.isSettled, true);
  assert.equal(f.value, 3);
  assert.throws(() => f.reason, /future is fulfilled/);
  const r = Future.reject(new Error("x"));
  r.catch(() => {});
  assert.equal(r.state, "rejected");
  assert.equal((r.reason as Error).message, "x");
  assert.throws(
    () => r.value,
    /Cannot read the value as the future is rejected/,
  );
  assert.equal(await f, 3);
});

Deno.test("Future.then() never runs handlers synchronously", async () => {
  const order: string[] = [];
  const f = Future.resolve(1);
  const g = f.then(() => order.push("then"));
  order.push("sync");
  await g;
  assert.deepEqual(order, ["sync", "then"]);
});

Deno.test("Future.then() runs reactions in registration order", async () => {
  const c = new Completer<string>();
  const order: number[] = [];
  for (let i = 0; i < 5; i++) c.future.then(() => order.push(i));
  c.resolve("go");
  await c.future;
  await Future.resolve();
  assert.deepEqual(order, [0, 1, 2, 3, 4]);
});

Deno.test("Future adopts another pending future, native promises and thenables", async () => {
  const inner = new Completer<number>();
  const outer = new Completer<number>();
  outer.resolve(inner.future);
  assert.equal(outer.isCompleted, true);
  assert.equal(outer.future.state, "pending");
  inner.resolve(9);
  assert.equal(await outer.future, 9);

  assert.equal(await Future.from(Promise.resolve("native")), "native");
  const thenable = {
    then(onFulfilled: (v: string) => void) {
      onFulfilled("foreign");
    },
  } as PromiseLike<string>;
  assert.equal(await Future.from(thenable), "foreign");
  await assert.rejects(Future.from(Promise.reject(new Error("no"))), /no/);
});

Deno.test("Future.then() rejects a chain that resolves with itself", async () => {
  const c = new Completer<void>();
  const loop: Future<unknown> = c.future.then(() => loop);
  c.resolve();
  await assert.rejects(loop, TypeError);
});

Deno.test("Future works with await and native Promise.all", async () => {
  const values = await Promise.all([
    Future.resolve(1),
    Future.resolve(2).then((x) => x * 10),
    new Future<number>((resolve) => resolve(3)),
  ]);
  assert.deepEqual(values, [1, 20, 3]);
  assert.equal(await Future.resolve(Future.resolve(5)), 5);
  const p: Promise<number> = Future.resolve(7).toPromise();
  assert.equal(await p, 7);
});

Deno.test("new Future() captures a throwing init and ignores later calls", async () => {
  const f = new Future<number>((resolve) => {
    resolve(1);
    throw new Error("ignored after resolve");
  });
  assert.equal(await f, 1);
  const g = new Future<number>(() => {
    throw new Error("init failed");
  });
  await assert.rejects(g, /init failed/);
});

Deno.test("Future.finally() passes the outcome through and waits for its thenable", async () => {
  const order: string[] = [];
  const v = await Future.resolve(1).finally(() =>
    new Promise<void>((r) => {
      order.push("cleanup");
      r();
    })
  );
  assert.equal(v, 1);
  await assert.rejects(
    Future.reject(new Error("kept")).finally(() => order.push("again")),
    /kept/,
  );
  await assert.rejects(
    Future.resolve(1).finally(() => {
      throw new Error("cleanup failed");
    }),
    /cleanup failed/,
  );
  await assert.rejects(
    Future.reject(new Error("first")).finally(() =>
      Promise.reject(new Error("second"))
    ),
    /second/,
  );
  assert.deepEqual(order, ["cleanup", "again"]);
});

Deno.test("Future.try() runs synchronously and captures throws", async () => {
  let ran = false;
  const f = Future.try(() => (ran = true, 4));
  assert.equal(ran, true);
  assert.equal(await f, 4);
  await assert.rejects(
    Future.try(() => {
      throw new RangeError("bad");
    }),
    RangeError,
  );
});

Deno.test("Future.try() rejects a non-function instead of throwing", async () => {
  const f = Future.try(42 as unknown as () => number);
  await assert.rejects(f, {
    name: "TypeError",
    message:
      "Cannot run Future.try as 'fn' must be a function: current value is 42",
  });
});

Deno.test("Future.via() runs continuations on the executor given", async () => {
  const log: string[] = [];
  const tagged: Executor = {
    execute(task) {
      log.push("executor");
      task();
    },
  };
  const c = new Completer<number>();
  const result = c.future.via(tagged).then((x) => {
    log.push(`then ${x}`);
    return x + 1;
  }).then((x) => {
    log.push(`then ${x}`);
    return x;
  });
  c.resolve(1);
  assert.equal(await result, 2);
  // Both continuations ran through the executor, and so did the reaction
  // that `await` attached to the derived future (it inherits the executor).
  assert.deepEqual(log, [
    "executor",
    "then 1",
    "executor",
    "then 2",
    "executor",
  ]);
});

Deno.test("Future.via(inlineExecutor) runs continuations as the future settles", async () => {
  const c = new Completer<number>();
  const bound = c.future.via(inlineExecutor);
  await Future.resolve(); // the hop itself runs on the default trampoline
  let seen = 0;
  bound.then((x) => (seen = x));
  assert.equal(seen, 0);
  c.resolve(5);
  await Future.resolve();
  assert.equal(seen, 5);
  const order: string[] = [];
  const settled = Future.resolve(1).via(microtaskExecutor);
  await settled;
  settled.then(() => order.push("microtask"));
  order.push("sync");
  await settled.then();
  assert.deepEqual(order, ["sync", "microtask"]);
});

Deno.test("Future.via() rejects a non-executor instead of throwing", async () => {
  await assert.rejects(Future.resolve(1).via({} as Executor), {
    name: "TypeError",
    message:
      "Cannot move a future as 'executor.execute' must be a function: current value is undefined",
  });
});

Deno.test("Future.wait() times out on the clock and leaves no timer", async () => {
  const clock = new VirtualClock();
  const pending = new Completer<number>();
  const waited = pending.future.wait({ timeoutMs: 100, clock });
  assert.equal(clock.pendingTimers, 1);
  clock.tick(99);
  assert.equal(waited.state, "pending");
  clock.tick(1);
  await assert.rejects(waited, (e: unknown) => {
    assert.ok(e instanceof DOMException);
    assert.equal(e.name, "TimeoutError");
    return true;
  });
  assert.equal(clock.pendingTimers, 0);
});

Deno.test("Future.wait() settles with the future and clears its timer", async () => {
  const clock = new VirtualClock();
  const c = new Completer<number>();
  const waited = c.future.wait({ timeoutMs: 100, clock });
  c.resolve(8);
  assert.equal(await waited, 8);
  assert.equal(clock.pendingTimers, 0);
  const r = new Completer<number>();
  const failed = r.future.wait({ timeoutMs: 100, clock });
  r.reject(new Error("first"));
  await assert.rejects(failed, /first/);
  assert.equal(clock.pendingTimers, 0);
});

Deno.test("Future.wait() rejects with signal.reason unchanged and removes its listener", async () => {
  const clock = new VirtualClock();
  const counted = countedSignal();
  const { controller, signal } = counted;
  const waited = new Completer<number>().future.wait({
    timeoutMs: 1000,
    signal,
    clock,
  });
  assert.equal(counted.live, 1);
  const reason = { custom: "reason" };
  controller.abort(reason);
  await assert.rejects(waited, (e) => e === reason);
  assert.equal(counted.live, 0);
  assert.equal(clock.pendingTimers, 0);

  const ok = countedSignal();
  const c = new Completer<number>();
  const settled = c.future.wait({ signal: ok.signal });
  c.resolve(1);
  assert.equal(await settled, 1);
  assert.equal(ok.live, 0);
});

Deno.test("Future.wait() with an aborted signal rejects at once without timer or listener", async () => {
  const clock = new VirtualClock();
  const counted = countedSignal();
  const { controller, signal } = counted;
  controller.abort("gone");
  const waited = new Completer<number>().future.wait({
    timeoutMs: 10,
    signal,
    clock,
  });
  assert.equal(clock.pendingTimers, 0);
  assert.equal(counted.live, 0);
  await assert.rejects(waited, (e) => e === "gone");
});

Deno.test("Future.wait() rejects bad options before arming anything", async () => {
  const clock = new VirtualClock();
  const f = new Completer<number>().future;
  for (const bad of [-1, NaN, Infinity, -Infinity]) {
    await assert.rejects(
      f.wait({ timeoutMs: bad, clock }),
      {
        name: "RangeError",
        message:
          `Cannot wait for a future as 'timeoutMs' must be a finite number >= 0: current value is ${bad}`,
      },
    );
  }
  await assert.rejects(
    f.wait({ timeoutMs: "5" as unknown as number, clock }),
    {
      name: "TypeError",
      message:
        `Cannot wait for a future as 'timeoutMs' must be a number: current value is "5"`,
    },
  );
  await assert.rejects(
    f.wait({ signal: {} as AbortSignal }),
    /'signal' must be an AbortSignal: current value is an object/,
  );
  await assert.rejects(
    f.wait(5 as never),
    /'options' must be an options object/,
  );
  await assert.rejects(
    f.wait({ timeoutMs: 5, clock: { now: () => 0 } as never }),
    {
      name: "TypeError",
      message:
        "Cannot wait for a future as 'clock.setTimeout' must be a function: current value is undefined",
    },
  );
  assert.equal(clock.pendingTimers, 0);
});

Deno.test("Future.wait(signal) rejects with a TypeError that names the fix", async () => {
  const controller = new AbortController();
  const waited = new Completer<number>().future.wait(
    controller.signal as never,
  );
  assert.equal(waited.state, "rejected");
  await assert.rejects(waited, {
    name: "TypeError",
    message:
      "Cannot wait for a future as 'options' must be an options object: current value is an AbortSignal (pass { signal })",
  });
});

Deno.test("Future.wait() on a long-lived future forgets its reaction once given up", async () => {
  const clock = new VirtualClock();
  const longLived = new Completer<number>();
  const order: string[] = [];
  longLived.future.then(() => order.push("first"));
  for (let i = 0; i < 100; i++) {
    const controller = new AbortController();
    const waited = longLived.future.wait({ signal: controller.signal });
    controller.abort(i);
    await assert.rejects(waited, (e) => e === i);
    const timed = longLived.future.wait({ timeoutMs: 1, clock });
    clock.tick(1);
    await assert.rejects(timed, { name: "TimeoutError" });
  }
  const kept = longLived.future.wait({ timeoutMs: 10, clock });
  longLived.future.then(() => order.push("last"));
  longLived.resolve(7);
  assert.equal(await kept, 7);
  assert.deepEqual(order, ["first", "last"]);
  assert.equal(clock.pendingTimers, 0);
});

Deno.test("new Future() without an executor throws a TypeError, as new Promise()", () => {
  assert.throws(() => new Promise(undefined as never), TypeError);
  const rows: [unknown, string][] = [
    [undefined, "undefined"],
    [5, "5"],
    [null, "null"],
    [{}, "an object"],
  ];
  for (const [bad, shown] of rows) {
    assert.throws(() => new Future(bad as never), {
      name: "TypeError",
      message:
        `Cannot create a Future as 'init' must be a function: current value is ${shown}`,
    });
  }
});

Deno.test("the Future job queue survives a job that throws and runs every later callback", async () => {
  const hostile: Executor = {
    execute() {
      throw new Error("hostile executor");
    },
  };
  const later: number[] = [];
  const caught = await catchReported(async () => {
    const moved = Future.resolve(1).via(hostile);
    moved.then(() => later.push(-1));
    // Queued behind the job that throws.
    const after = Future.resolve(2).then((x) => later.push(x));
    await after;
    await Future.resolve(3).then((x) => later.push(x));
  });
  assert.deepEqual(caught.map((e) => (e as Error).message), [
    "hostile executor",
  ]);
  assert.deepEqual(later, [2, 3]);
});

Deno.test("the Future job queue survives a throwing Array.prototype setter", async () => {
  const gate = new Completer<number>();
  gate.future.then(() => {});
  gate.future.then(() => {}); // two reactions: a third goes to index 2
  const seen: number[] = [];
  const caught = await catchReported(async () => {
    let later: Future<number>;
    Object.defineProperty(Array.prototype, "2", {
      configurable: true,
      set() {
        throw new Error("setter");
      },
    });
    try {
      // The handler's result adopts `gate.future`: a third reaction on it.
      Future.resolve(0).then(() => gate.future);
      later = Future.resolve(1).then((x) => (seen.push(x), x + 1));
      await Promise.resolve();
    } finally {
      delete (Array.prototype as unknown as Record<string, unknown>)[2];
    }
    assert.equal(await later, 2);
    assert.equal(await Future.resolve(5).then((x) => x * 2), 10);
  });
  assert.deepEqual(caught.map((e) => (e as Error).message), ["setter"]);
  assert.deepEqual(seen, [1]);
  gate.resolve(0);
});

Deno.test("an unhandled rejected Future is reported like an unhandled promise", async () => {
  const reason = new Error("nobody listens");
  const reported = await catchUnhandled(() => {
    Future.reject(reason);
    const handled = Future.reject(new Error("handled"));
    handled.catch(() => {});
    // A derived future that rejects and is never handled is reported too.
    Future.reject(new Error("derived")).then((x) => x);
  });
  assert.equal(reported.length, 2);
  assert.equal(reported[0], reason);
  assert.equal((reported[1] as Error).message, "derived");
});

Deno.test("a rejection handled in the same turn is not reported", async () => {
  const reported = await catchUnhandled(async () => {
    const c = new Completer<number>();
    c.reject(new Error("late but same turn"));
    await Promise.resolve();
    c.future.catch(() => {});
    const adopted = new Completer<number>();
    adopted.resolve(Future.reject(new Error("adopted")));
    adopted.future.catch(() => {});
  });
  assert.deepEqual(reported, []);
});

Deno.test("a future rejected while it follows a pending future stays rejected", async () => {
  const { pendingFuture, rejectFuture, resolveFuture } = await import(
    "../../src/future/_settle.ts"
  );
  const inner = new Completer<number>();
  const out = pendingFuture<number>();
  resolveFuture(out, inner.future);
  rejectFuture(out, new Error("rejected first"));
  inner.resolve(5);
  await inner.future;
  await Future.resolve();
  assert.equal(out.state, "rejected");
  await assert.rejects(out, /rejected first/);
});

Deno.test("Future.wait() given up leaves a later rejection of the future handled, as Promise.race", async () => {
  const clock = new VirtualClock();
  const source = new Completer<number>();
  const unhandled = await catchUnhandled(async () => {
    const controller = new AbortController();
    const aborted = source.future.wait({ signal: controller.signal });
    const timed = source.future.wait({ timeoutMs: 5, clock });
    controller.abort("stop");
    clock.tick(5);
    await assert.rejects(aborted, (e) => e === "stop");
    await assert.rejects(timed, { name: "TimeoutError" });
    source.reject(new Error("late"));
  });
  assert.deepEqual(unhandled, []);
  await assert.rejects(source.future, /late/);
});

Deno.test("Future: abort, timeout and rejection paths leave no unhandled rejection", async () => {
  const clock = new VirtualClock();
  const unhandled = await catchUnhandled(async () => {
    // Every future the caller receives is handled by the caller.
    const c1 = new Completer<number>();
    const w1 = c1.future.wait({ timeoutMs: 10, clock });
    c1.reject(new Error("source failed"));
    await assert.rejects(w1, /source failed/);
    const w2 = new Completer<number>().future.wait({
      signal: AbortSignal.abort("pre"),
    });
    await assert.rejects(w2, (e) => e === "pre");
    const w3 = Future.reject(new Error("x")).wait({ timeoutMs: 1, clock });
    await assert.rejects(w3, /x/);
    clock.runAll();
  });
  assert.deepEqual(unhandled, []);
  assert.equal(clock.pendingTimers, 0);
});

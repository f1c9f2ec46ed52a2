import {
  EventLoop,
  type MicrotaskQueue,
  simulateAsync,
  SimulatedPromise,
} from "@pledge/core";
import assert from "node:assert/strict";

// How many microtask ticks pass before `start(loop)` settles: a ticker chain
// logs tick n at the n-th microtask turn.
function ticksUntil(
  start: (loop: EventLoop) => PromiseLike<unknown>,
): number {
  const loop = new EventLoop();
  const out: string[] = [];
  start(loop).then(() => out.push("done"));
  let chain = loop.resolved() as SimulatedPromise<unknown>;
  for (let i = 1; i <= 6; i++) chain = chain.then(() => out.push(`tick ${i}`));
  loop.runMicrotasks();
  // "done" lands after tick n-1 when it took n ticks (it was queued first)
  const at = out.indexOf("done");
  return at === 0 ? 1 : Number(out[at - 1]!.split(" ")[1]) + 1;
}

Deno.test("simulateAsync() charges V8's tick costs for await", () => {
  // seen by `then` on the async function's promise: 1 more tick each
  const awaiting = (value: (loop: EventLoop) => unknown) =>
    ticksUntil((loop) =>
      loop.async(function* () {
        yield value(loop);
      })()
    );
  assert.equal(awaiting(() => 1), 2); // await value: 1 tick, +1 to observe
  assert.equal(awaiting((loop) => loop.resolved(1)), 2); // a loop promise: 1
  assert.equal(awaiting(() => ({ then: (r: (v: number) => void) => r(1) })), 3); // thenable: 2
});

Deno.test("simulateAsync() costs 3 ticks for a returned promise, 1 for a value", () => {
  assert.equal(
    ticksUntil((loop) =>
      // deno-lint-ignore require-yield
      loop.async(function* () {
        return loop.resolved(1);
      })()
    ),
    3,
  );
  assert.equal(
    ticksUntil((loop) =>
      // deno-lint-ignore require-yield
      loop.async(function* () {
        return 1;
      })()
    ),
    1,
  );
});

Deno.test("simulateAsync() runs the body synchronously up to the first yield", () => {
  const loop = new EventLoop();
  const out: string[] = [];
  const f = loop.async(function* (a: number, b: number) {
    out.push(`start ${a + b}`);
    yield;
    out.push("resumed");
    return a * b;
  });
  const p = f(2, 3);
  out.push("after call");
  let result = 0;
  p.then((v) => (result = v));
  loop.runMicrotasks();
  assert.deepEqual(out, ["start 5", "after call", "resumed"]);
  assert.equal(result, 6);
});

Deno.test("simulateAsync() throws a rejection into the body and rejects on a throw", () => {
  const loop = new EventLoop();
  const seen: unknown[] = [];
  const caught = loop.async(function* () {
    try {
      yield loop.rejected(new Error("inner"));
    } catch (e) {
      return `caught ${(e as Error).message}`;
    }
  });
  // deno-lint-ignore require-yield
  const failing = loop.async(function* () {
    throw new Error("sync");
  });
  caught().then((v) => seen.push(v));
  failing().catch((e) => seen.push((e as Error).message));
  loop.runMicrotasks();
  assert.deepEqual(seen, ["sync", "caught inner"]);
});

Deno.test("simulateAsync() passes this and works with any microtask queue", () => {
  const jobs: (() => void)[] = [];
  const host: MicrotaskQueue = { queueMicrotask: (job) => void jobs.push(job) };
  const obj = {
    base: 10,
    add: simulateAsync(host, function* (this: { base: number }, x: number) {
      const y = (yield x) as number;
      return this.base + y;
    }),
  };
  let result = 0;
  obj.add(5).then((v) => (result = v));
  while (jobs.length > 0) jobs.shift()!();
  assert.equal(result, 15);
});

Deno.test("simulateAsync() validates its arguments", () => {
  const loop = new EventLoop();
  assert.throws(
    () => simulateAsync(loop, 1 as never),
    new TypeError(
      "Cannot simulate an async function as 'body' must be a function: current value is 1",
    ),
  );
  assert.throws(
    () => simulateAsync({} as never, function* () {}),
    /'host.queueMicrotask' must be a function/,
  );
});

Deno.test("SimulatedPromise resolves once, rejects a self-resolution and throwing thenables", () => {
  const loop = new EventLoop();
  const seen: unknown[] = [];
  new SimulatedPromise<number>(loop, (resolve, reject) => {
    resolve(1);
    resolve(2);
    reject(new Error("late"));
    throw new Error("ignored");
  }).then((v) => seen.push(v));
  const self: SimulatedPromise<unknown> = loop.promise((resolve) =>
    loop.queueMicrotask(() => resolve(self))
  );
  self.catch((e) => seen.push((e as TypeError).message));
  loop.resolved({
    then() {
      throw new Error("thenable threw");
    },
  }).catch((e) => seen.push((e as Error).message));
  loop.resolved({
    get then(): never {
      throw new Error("getter threw");
    },
  }).catch((e) => seen.push((e as Error).message));
  loop.runMicrotasks();
  assert.deepEqual(seen, [
    1,
    "getter threw",
    "Cannot resolve a promise with itself",
    "thenable threw",
  ]);
});

Deno.test("SimulatedPromise.finally() passes the outcome on unless it throws", () => {
  const loop = new EventLoop();
  const seen: unknown[] = [];
  loop.resolved(1).finally(() => seen.push("f1")).then((v) => seen.push(v));
  loop.rejected("r").finally(() => seen.push("f2")).catch((e) => seen.push(e));
  loop.resolved(2).finally(() => {
    throw "override";
  }).catch((e) => seen.push(e));
  loop.resolved(3).finally().then((v) => seen.push(v));
  loop.runMicrotasks();
  // the order V8 (Node 20, Deno 2.9) prints for the same program
  assert.deepEqual(seen, ["f1", "f2", "override", 3, 1, "r"]);
});

Deno.test("SimulatedPromise passes values through missing handlers", () => {
  const loop = new EventLoop();
  const seen: unknown[] = [];
  loop.resolved(4).then(null, () => {}).then((v) => seen.push(v));
  loop.rejected("no").then((v) => v).catch((e) => seen.push(e));
  loop.runMicrotasks();
  assert.deepEqual(seen, [4, "no"]);
});

Deno.test("SimulatedPromise can be awaited by host code once the loop runs", async () => {
  const loop = new EventLoop();
  const p = loop.promise<string>((r) => loop.setTimeout(() => r("late"), 10));
  assert.equal(p.state, "pending");
  loop.runAll();
  assert.equal(p.state, "fulfilled");
  const got = await Promise.race([p, Promise.resolve("host first")]);
  assert.equal(got, "host first"); // its reaction still needs the loop
  const value = loop.runUntilSettled(p);
  assert.equal(await value, "late");
});

Deno.test("SimulatedPromise validates its host and init", () => {
  assert.throws(
    () => new SimulatedPromise({} as never),
    new TypeError(
      "Cannot create a SimulatedPromise as 'host.queueMicrotask' must be a function: current value is undefined",
    ),
  );
  assert.throws(
    () => new SimulatedPromise(new EventLoop(), 5 as never),
    TypeError,
  );
  assert.throws(() => new EventLoop().promise(5 as never), TypeError);
});

Deno.test("SimulatedPromise labels its jobs in the trace", () => {
  const loop = new EventLoop({ trace: true });
  const work = loop.async(function* work() {
    yield { then: (r: () => void) => r() };
  });
  work();
  loop.resolved().then(function named() {});
  loop.runMicrotasks();
  assert.deepEqual(loop.trace.events.map((e) => e.label), [
    "resolve thenable",
    "named",
    "work: resume",
  ]);
});

Deno.test("SimulatedPromise.resolve() passes a promise of its host through and adopts another host's", () => {
  const a = new EventLoop();
  const b = new EventLoop();
  const own = a.resolved(1);
  assert.equal(SimulatedPromise.resolve(a, own), own);
  const foreign = b.resolved(2);
  const adopted = SimulatedPromise.resolve(a, foreign);
  assert.notEqual(adopted, foreign);
  a.runMicrotasks(); // the resolve-thenable job calls foreign.then ...
  assert.equal(adopted.state, "pending");
  b.runMicrotasks(); // ... whose reaction runs in b and settles it
  assert.equal(adopted.state, "fulfilled");
  const rejected = SimulatedPromise.reject(a, "no");
  assert.equal(rejected.state, "rejected");
  assert.throws(() => SimulatedPromise.resolve({} as never, 1), TypeError);
});

// Runs the same program on native promises (in this very process) and on
// simulated ones, interleaved with a ticker chain; both logs must agree.
async function nativeOrder(
  program: (P: PromiseConstructor, log: (s: string) => void) => void,
): Promise<string[]> {
  const out: string[] = [];
  program(Promise, (s) => out.push(s));
  let chain = Promise.resolve() as Promise<unknown>;
  for (let i = 1; i <= 8; i++) chain = chain.then(() => out.push(`tick ${i}`));
  await new Promise((r) => setTimeout(r, 0));
  return out;
}

function simulatedOrder(
  program: (P: PromiseConstructor, log: (s: string) => void) => void,
): string[] {
  const loop = new EventLoop();
  const out: string[] = [];
  // The statics the playground's Promise global has, over SimulatedPromise.
  const P = {
    resolve: (v?: unknown) => loop.resolved(v),
    reject: (e?: unknown) => loop.rejected(e),
    all: (v: Iterable<unknown>) => SimulatedPromise.all(loop, v),
    allSettled: (v: Iterable<unknown>) => SimulatedPromise.allSettled(loop, v),
    any: (v: Iterable<unknown>) => SimulatedPromise.any(loop, v),
    race: (v: Iterable<unknown>) => SimulatedPromise.race(loop, v),
    withResolvers: () => SimulatedPromise.withResolvers(loop),
    try: (f: () => unknown) => SimulatedPromise.try(loop, f),
  } as unknown as PromiseConstructor;
  program(P, (s) => out.push(s));
  let chain = loop.resolved() as SimulatedPromise<unknown>;
  for (let i = 1; i <= 8; i++) chain = chain.then(() => out.push(`tick ${i}`));
  loop.runAll();
  return out;
}

const STATIC_PROGRAMS: [
  string,
  (P: PromiseConstructor, log: (s: string) => void) => void,
][] = [
  ["all", (P, log) => {
    P.all([1, P.resolve(2), { then: (r: (v: number) => void) => r(3) }])
      .then((v) => log(`all ${v}`));
    P.all([]).then(() => log("all of none"));
    P.all([P.resolve(1), P.reject("no")]).catch((e) => log(`all failed ${e}`));
  }],
  ["allSettled", (P, log) => {
    P.allSettled([1, P.reject("x")]).then((v) =>
      log(`allSettled ${JSON.stringify(v)}`)
    );
    P.allSettled([]).then(() => log("allSettled of none"));
  }],
  ["any", (P, log) => {
    P.any([P.reject(1), P.resolve(2)]).then((v) => log(`any ${v}`));
    P.any([P.reject("a"), P.reject("b")]).catch((e: AggregateError) =>
      log(`any failed ${e.errors} ${e.message}`)
    );
    P.any([]).catch((e: AggregateError) => log(`any of none ${e.errors}`));
  }],
  ["race", (P, log) => {
    P.race([P.resolve("a"), "b"]).then((v) => log(`race ${v}`));
    P.race([
      { then: (r: (v: string) => void) => r("thenable") },
      P.resolve("p"),
    ])
      .then((v) => log(`race 2 ${v}`));
  }],
  ["withResolvers and try", (P, log) => {
    const { promise, resolve } = (P as unknown as {
      withResolvers(): { promise: Promise<string>; resolve(v: string): void };
    }).withResolvers();
    promise.then((v) => log(`resolvers ${v}`));
    resolve("now");
    const t = P as unknown as { try(f: () => unknown): Promise<unknown> };
    t.try(() => 5).then((v) => log(`try ${v}`));
    t.try(() => {
      throw new Error("sync");
    }).catch((e: Error) => log(`try failed ${e.message}`));
    t.try(() => P.resolve(6)).then((v) => log(`try promise ${v}`));
  }],
  ["not iterable", (P, log) => {
    P.all(5 as never).catch((e: Error) => log(e.name));
    P.race(undefined as never).catch((e: Error) => log(`${e.name}`));
  }],
];

for (const [name, program] of STATIC_PROGRAMS) {
  Deno.test(`SimulatedPromise.${name} costs the ticks the native statics cost`, async () => {
    assert.deepEqual(simulatedOrder(program), await nativeOrder(program));
  });
}

Deno.test("SimulatedPromise statics refuse a host without queueMicrotask", () => {
  for (
    const call of [
      () => SimulatedPromise.all({} as never, []),
      () => SimulatedPromise.allSettled(null as never, []),
      () => SimulatedPromise.any(undefined as never, []),
      () => SimulatedPromise.race({} as never, []),
      () => SimulatedPromise.withResolvers({} as never),
      () => SimulatedPromise.try({} as never, () => {}),
    ]
  ) {
    assert.throws(call, /'host.queueMicrotask' must be a function/);
  }
});

Deno.test("SimulatedPromise statics reject a value that is not iterable", () => {
  const loop = new EventLoop();
  let seen: unknown;
  SimulatedPromise.all(loop, 5 as never).catch((e) => (seen = e));
  loop.runMicrotasks();
  assert.deepEqual(
    seen,
    new TypeError(
      "Cannot call SimulatedPromise.all as 'values' must be an iterable: current value is 5",
    ),
  );
});

Deno.test("SimulatedPromise.try() with a non-function rejects with a TypeError", () => {
  const loop = new EventLoop();
  let seen: unknown;
  SimulatedPromise.try(loop, 5 as never).catch((e) => (seen = e));
  loop.runMicrotasks();
  assert.ok(seen instanceof TypeError);
});

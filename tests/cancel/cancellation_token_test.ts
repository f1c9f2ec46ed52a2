import assert from "node:assert/strict";
import fc from "fast-check";
import { CancellationToken, CancellationTokenSource } from "@pledge/core";
import { catchReported, countedSignal } from "../_support.ts";

// --- register

Deno.test("CancellationToken.register() after cancellation runs at once, synchronously", () => {
  const source = new CancellationTokenSource();
  source.cancel("r");
  const seen: unknown[] = [];
  const registration = source.token.register((r) => seen.push(r));
  assert.deepEqual(seen, ["r"]);
  registration[Symbol.dispose]();
  assert.throws(
    () =>
      source.token.register(() => {
        throw new Error("late");
      }),
    { message: "late" },
  );
});

Deno.test("CancellationToken.register() inside a callback runs the new callback at once", () => {
  const source = new CancellationTokenSource();
  const order: string[] = [];
  source.token.register(() => {
    order.push("a");
    source.token.register(() => order.push("nested"));
  });
  source.token.register(() => order.push("b"));
  source.cancel();
  assert.deepEqual(order, ["a", "nested", "b"]);
});

Deno.test("disposing a registration removes only that callback", () => {
  const source = new CancellationTokenSource();
  const order: number[] = [];
  const fn = () => order.push(0);
  const r1 = source.token.register(fn);
  source.token.register(fn);
  const r3 = source.token.register(() => order.push(3));
  r1[Symbol.dispose]();
  r1[Symbol.dispose]();
  r3[Symbol.dispose]();
  source.cancel();
  assert.deepEqual(order, [0]);
  r3[Symbol.dispose]();
});

Deno.test("a callback disposing a later registration stops it from running", () => {
  const source = new CancellationTokenSource();
  const order: string[] = [];
  source.token.register(() => {
    order.push("first");
    later[Symbol.dispose]();
  });
  const later = source.token.register(() => order.push("later"));
  source.token.register(() => order.push("last"));
  source.cancel();
  assert.deepEqual(order, ["first", "last"]);
});

// --- signal

Deno.test("CancellationToken.signal is created once and aborts before callbacks run", () => {
  const source = new CancellationTokenSource();
  const token = source.token;
  const signal = token.signal;
  assert.equal(token.signal, signal);
  assert.equal(signal.aborted, false);
  const order: string[] = [];
  signal.addEventListener("abort", () => order.push("signal"));
  token.register(() => {
    order.push(`callback saw aborted=${token.signal.aborted}`);
  });
  source.cancel("x");
  assert.deepEqual(order, ["signal", "callback saw aborted=true"]);
  assert.equal(signal.reason, "x");
});

Deno.test("CancellationToken.signal read after cancellation is already aborted with the reason", () => {
  const source = new CancellationTokenSource();
  source.cancel("late");
  assert.equal(source.token.signal.aborted, true);
  assert.equal(source.token.signal.reason, "late");
  assert.equal(source.token.signal, source.token.signal);
});

Deno.test("CancellationToken.fromSignal() of a token's signal gives the token back", () => {
  const source = new CancellationTokenSource();
  assert.equal(CancellationToken.fromSignal(source.token.signal), source.token);
  assert.equal(
    CancellationToken.fromSignal(CancellationToken.none.signal),
    CancellationToken.none,
  );
});

// --- none and fromSignal

Deno.test("CancellationToken.none never cancels and allocates nothing per use", () => {
  const none = CancellationToken.none;
  assert.equal(CancellationToken.none, none);
  const r1 = none.register(() => assert.fail("never runs"));
  const r2 = none.register(() => assert.fail("never runs"));
  assert.equal(r1, r2);
  r1[Symbol.dispose]();
  assert.equal(none.isCancellationRequested, false);
  assert.equal(none.reason, undefined);
  assert.equal(none.signal, none.signal);
  assert.equal(none.signal.aborted, false);
  none.throwIfCancellationRequested();
  using linked = CancellationTokenSource.linked(none);
  assert.equal(linked.isCancellationRequested, false);
});

Deno.test("new CancellationToken() is a token that never cancels", () => {
  const token = new CancellationToken();
  assert.notEqual(token, CancellationToken.none);
  assert.equal(token.isCancellationRequested, false);
  token.register(() => assert.fail("never runs"));
});

Deno.test("CancellationToken.fromSignal() follows the signal and gives one token per signal", () => {
  const controller = new AbortController();
  const token = CancellationToken.fromSignal(controller.signal);
  assert.equal(CancellationToken.fromSignal(controller.signal), token);
  assert.equal(token.signal, controller.signal);
  const seen: unknown[] = [];
  token.register((r) => seen.push(r));
  assert.equal(token.isCancellationRequested, false);
  controller.abort("gone");
  assert.equal(token.isCancellationRequested, true);
  assert.equal(token.reason, "gone");
  assert.deepEqual(seen, ["gone"]);
  assert.throws(
    () => token.throwIfCancellationRequested(),
    (e) => e === "gone",
  );
});

Deno.test("CancellationToken.fromSignal() of an aborted signal is cancelled and adds no listener", () => {
  const counted = countedSignal();
  counted.controller.abort("before");
  const token = CancellationToken.fromSignal(counted.signal);
  assert.equal(token.reason, "before");
  let seen: unknown;
  token.register((r) => (seen = r));
  assert.equal(seen, "before");
  assert.equal(counted.added, 0);
});

Deno.test("CancellationToken.fromSignal() holds one listener only while it has registrations", () => {
  const counted = countedSignal();
  const token = CancellationToken.fromSignal(counted.signal);
  assert.equal(counted.added, 0);
  const regs = Array.from({ length: 3 }, () => token.register(() => {}));
  assert.equal(counted.live, 1);
  assert.equal(counted.native, 1);
  regs[0]![Symbol.dispose]();
  regs[2]![Symbol.dispose]();
  assert.equal(counted.live, 1);
  regs[1]![Symbol.dispose]();
  assert.equal(counted.live, 0);
  assert.equal(counted.native, 0);
  const order: number[] = [];
  token.register(() => order.push(1));
  token.register(() => order.push(2));
  counted.controller.abort();
  assert.deepEqual(order, [1, 2]);
  assert.equal(counted.live, 0);
  assert.equal(counted.native, 0);
});

Deno.test("CancellationToken.fromSignal() reports what its callbacks throw, after running them all", async () => {
  const controller = new AbortController();
  const token = CancellationToken.fromSignal(controller.signal);
  const e1 = new Error("1");
  const e2 = new Error("2");
  let ran = 0;
  token.register(() => {
    ran++;
    throw e1;
  });
  token.register(() => {
    ran++;
    throw e2;
  });
  const caught = await catchReported(() => controller.abort());
  assert.equal(ran, 2);
  assert.equal(caught.length, 1);
  assert.ok(caught[0] instanceof AggregateError);
  assert.deepEqual((caught[0] as AggregateError).errors, [e1, e2]);
});

Deno.test("CancellationToken.fromSignal() works on a signal that cannot take properties", () => {
  // (Deno's own addEventListener needs an extensible signal, so this only
  // checks the mapping.)
  const controller = new AbortController();
  Object.preventExtensions(controller.signal);
  const symbols = Object.getOwnPropertySymbols(controller.signal).length;
  const token = CancellationToken.fromSignal(controller.signal);
  assert.equal(CancellationToken.fromSignal(controller.signal), token);
  assert.equal(Object.getOwnPropertySymbols(controller.signal).length, symbols);
  controller.abort("frozen");
  assert.equal(token.reason, "frozen");
});

Deno.test("CancellationToken.fromSignal() leaves no string-keyed property on the signal", () => {
  const controller = new AbortController();
  const keys = Object.keys(controller.signal);
  CancellationToken.fromSignal(controller.signal).register(() => {});
  assert.deepEqual(Object.keys(controller.signal), keys);
});

// --- bad input

Deno.test("CancellationToken.register() throws a TypeError for a non-function callback", () => {
  const source = new CancellationTokenSource();
  assert.throws(
    () => source.token.register("nope" as unknown as () => void),
    {
      name: "TypeError",
      message:
        `Cannot register a cancellation callback as 'callback' must be a function: current value is "nope"`,
    },
  );
});

Deno.test("CancellationToken.fromSignal() throws a TypeError for a non-signal", () => {
  assert.throws(
    () => CancellationToken.fromSignal({} as AbortSignal),
    {
      name: "TypeError",
      message:
        "Cannot create a token from a signal as 'signal' must be an AbortSignal: current value is an object",
    },
  );
});

// --- leaks

Deno.test("100,000 register-and-dispose on a long-lived signal's token leave 0 listeners", () => {
  const counted = countedSignal();
  const token = CancellationToken.fromSignal(counted.signal);
  const held = [];
  for (let i = 0; i < 100_000; i++) held.push(token.register(() => {}));
  assert.equal(counted.live, 1);
  for (const r of held) r[Symbol.dispose]();
  assert.equal(counted.live, 0);
  assert.equal(counted.native, 0);
  assert.equal(counted.added, counted.removed);
});

// --- properties

type Op =
  | { kind: "register" }
  | { kind: "dispose"; index: number }
  | { kind: "cancel" };

Deno.test("property: every callback runs at most once, in order, and only if not disposed", () => {
  const op = fc.oneof(
    fc.constant<Op>({ kind: "register" }),
    fc.nat(50).map((index): Op => ({ kind: "dispose", index })),
    fc.constant<Op>({ kind: "cancel" }),
  );
  fc.assert(
    fc.property(fc.array(op, { maxLength: 60 }), (ops) => {
      const source = new CancellationTokenSource();
      const regs: Disposable[] = [];
      const disposed = new Set<number>();
      const ran: number[] = [];
      let cancelled = false;
      const expected: number[] = [];
      for (const o of ops) {
        if (o.kind === "register") {
          const id = regs.length;
          regs.push(source.token.register(() => ran.push(id)));
          if (cancelled) expected.push(id);
        } else if (o.kind === "dispose") {
          if (regs.length === 0) continue;
          const id = o.index % regs.length;
          regs[id]![Symbol.dispose]();
          if (!cancelled) disposed.add(id);
        } else {
          if (!cancelled) {
            for (let id = 0; id < regs.length; id++) {
              if (!disposed.has(id)) expected.push(id);
            }
          }
          source.cancel();
          cancelled = true;
        }
      }
      assert.deepEqual(ran, expected);
    }),
  );
});

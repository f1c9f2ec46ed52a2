/**
 * Cancellation benchmarks: linking a token to two parents against
 * `AbortSignal.any`, and an aborted `delay` against a hand-written
 * `setTimeout` + abort listener.
 *
 * Run: `deno bench -A --no-check bench/cancel_bench.ts`
 *
 * @module
 */

import {
  anySignal,
  CancellationTokenSource,
  delay,
  onAbort,
  timeoutSignal,
} from "@pledge/core";

// Long-lived parents, built once.
const parentA = new CancellationTokenSource();
const parentB = new CancellationTokenSource();
const tokenA = parentA.token;
const tokenB = parentB.token;
const controllerA = new AbortController();
const controllerB = new AbortController();
const signalA = controllerA.signal;
const signalB = controllerB.signal;
const LONG_MS = 60_000;
const sink: unknown[] = new Array(16);
let n = 0;

const noop = (): void => {};

function check(ok: boolean): void {
  if (!ok) throw new Error("bad result");
}

// --- link2: derive a child of two long-lived parents, then drop/dispose it.

Deno.bench({
  name: "AbortSignal.any([a, b])",
  group: "link2",
  baseline: true,
}, () => {
  const s = AbortSignal.any([signalA, signalB]);
  check(!s.aborted);
  sink[n++ & 15] = s;
});

Deno.bench({
  name: "CancellationTokenSource.linked(tokenA, tokenB) + token + dispose",
  group: "link2",
}, () => {
  const source = CancellationTokenSource.linked(tokenA, tokenB);
  const token = source.token;
  check(!token.isCancellationRequested);
  source[Symbol.dispose]();
  sink[n++ & 15] = token;
});

Deno.bench({
  name: "CancellationTokenSource.linked(signalA, signalB) + token + dispose",
  group: "link2",
}, () => {
  const source = CancellationTokenSource.linked(signalA, signalB);
  const token = source.token;
  check(!token.isCancellationRequested);
  source[Symbol.dispose]();
  sink[n++ & 15] = token;
});

Deno.bench({
  name: "anySignal([a, b]) + dispose",
  group: "link2",
}, () => {
  const s = anySignal([signalA, signalB]);
  check(!s.aborted);
  s[Symbol.dispose]();
  sink[n++ & 15] = s;
});

Deno.bench({
  name: "manual link: AbortController + add/removeEventListener on a and b",
  group: "link2",
}, () => {
  const c = new AbortController();
  const on = () => c.abort();
  signalA.addEventListener("abort", on);
  signalB.addEventListener("abort", on);
  check(!c.signal.aborted);
  signalA.removeEventListener("abort", on);
  signalB.removeEventListener("abort", on);
  sink[n++ & 15] = c;
});

Deno.bench({
  name: "onAbort(longLived, cb) + dispose",
  group: "register",
}, () => {
  const r = onAbort(signalA, noop);
  r[Symbol.dispose]();
  sink[n++ & 15] = r;
});

Deno.bench({
  name: "addEventListener + removeEventListener",
  group: "register",
  baseline: true,
}, () => {
  const on = () => check(false);
  signalA.addEventListener("abort", on);
  signalA.removeEventListener("abort", on);
  sink[n++ & 15] = on;
});

// --- register on a signal that already has 1000 pending listeners: the
// native add scans for duplicates, pledge's shared list does not.

const busy = new AbortController().signal;
for (let i = 0; i < 1000; i++) {
  busy.addEventListener("abort", () => {});
  onAbort(busy, noop);
}

Deno.bench({
  name: "onAbort(busy, cb) + dispose",
  group: "register-1000-pending",
}, () => {
  const r = onAbort(busy, noop);
  r[Symbol.dispose]();
  sink[n++ & 15] = r;
});

Deno.bench({
  name: "addEventListener + removeEventListener on busy",
  group: "register-1000-pending",
  baseline: true,
}, () => {
  const on = () => check(false);
  busy.addEventListener("abort", on);
  busy.removeEventListener("abort", on);
  sink[n++ & 15] = on;
});

// --- a timeout signal released before it fires, on the system clock.

Deno.bench({
  name: "AbortController + setTimeout/clearTimeout",
  group: "timeout-signal",
  baseline: true,
}, async () => {
  const c = new AbortController();
  const t = setTimeout(() => c.abort(), LONG_MS);
  check(!c.signal.aborted);
  clearTimeout(t);
  await null;
});

Deno.bench({
  name: "timeoutSignal(ms) + dispose",
  group: "timeout-signal",
}, async () => {
  const s = timeoutSignal(LONG_MS);
  check(!s.aborted);
  s[Symbol.dispose]();
  await null;
});

// --- delay aborted before it fires, on the system clock.

function handDelay(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal.addEventListener("abort", onAbort, { once: true });
  });
}

const REASON = new Error("stop");
const isReason = (e: unknown) => check(e === REASON);

Deno.bench({
  name: "hand-written setTimeout + abort listener",
  group: "delay-aborted",
  baseline: true,
}, async () => {
  const c = new AbortController();
  const p = handDelay(LONG_MS, c.signal);
  c.abort(REASON);
  await p.then(() => check(false), isReason);
});

Deno.bench({
  name: "delay(ms, { signal })",
  group: "delay-aborted",
}, async () => {
  const c = new AbortController();
  const p = delay(LONG_MS, { signal: c.signal });
  c.abort(REASON);
  await p.then(() => check(false), isReason);
});

const BATCH = 100;
const batch: PromiseLike<void>[] = new Array(BATCH);

Deno.bench({
  name: "hand-written x100 on one signal",
  group: "delay-aborted-x100",
  baseline: true,
}, async () => {
  const c = new AbortController();
  for (let i = 0; i < BATCH; i++) {
    batch[i] = handDelay(LONG_MS, c.signal).then(() => check(false), isReason);
  }
  c.abort(REASON);
  await Promise.all(batch);
});

Deno.bench({
  name: "delay x100 on one signal",
  group: "delay-aborted-x100",
}, async () => {
  const c = new AbortController();
  for (let i = 0; i < BATCH; i++) {
    batch[i] = delay(LONG_MS, { signal: c.signal }).then(
      () => check(false),
      isReason,
    );
  }
  c.abort(REASON);
  await Promise.all(batch);
});

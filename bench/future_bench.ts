/**
 * Future vs native Promise and Bluebird 3.7.2 (pinned), same run.
 *
 * @module
 */
import Bluebird from "bluebird";
import { Completer, Future } from "../mod.ts";

const CHAIN = 1000;
const inc = (x: number) => x + 1;

Deno.bench({
  name: "native Promise: 1000-link .then chain",
  group: "chain1000",
  baseline: true,
}, async () => {
  let p: Promise<number> = Promise.resolve(0);
  for (let i = 0; i < CHAIN; i++) p = p.then(inc);
  if ((await p) !== CHAIN) throw new Error("bad chain");
});

Deno.bench(
  { name: "Future: 1000-link .then chain", group: "chain1000" },
  async () => {
    let p: Future<number> = Future.resolve(0);
    for (let i = 0; i < CHAIN; i++) p = p.then(inc);
    if ((await p) !== CHAIN) throw new Error("bad chain");
  },
);

Deno.bench({
  name: "Bluebird 3.7.2: 1000-link .then chain",
  group: "chain1000",
}, async () => {
  let p = Bluebird.resolve(0);
  for (let i = 0; i < CHAIN; i++) p = p.then(inc);
  if ((await p) !== CHAIN) throw new Error("bad chain");
});

const resolvedNative = Promise.resolve(1);
const resolvedFuture = Future.resolve(1);
const resolvedBluebird = Bluebird.resolve(1);

Deno.bench({
  name: "native: 1000 awaits of a resolved Promise",
  group: "await1000",
  baseline: true,
}, async () => {
  let s = 0;
  for (let i = 0; i < CHAIN; i++) s += await resolvedNative;
  if (s !== CHAIN) throw new Error("bad sum");
});

Deno.bench({
  name: "Future: 1000 awaits of a resolved Future",
  group: "await1000",
}, async () => {
  let s = 0;
  for (let i = 0; i < CHAIN; i++) s += await resolvedFuture;
  if (s !== CHAIN) throw new Error("bad sum");
});

Deno.bench({
  name: "Bluebird 3.7.2: 1000 awaits of a resolved promise",
  group: "await1000",
}, async () => {
  let s = 0;
  for (let i = 0; i < CHAIN; i++) s += await resolvedBluebird;
  if (s !== CHAIN) throw new Error("bad sum");
});

const N = 10_000;
const sink: unknown[] = new Array(N);

Deno.bench({
  name: "native: new Promise + resolve, 10k",
  group: "create10k",
  baseline: true,
}, () => {
  for (let i = 0; i < N; i++) sink[i] = new Promise((r) => r(i));
});

Deno.bench({ name: "Future: Future.resolve, 10k", group: "create10k" }, () => {
  for (let i = 0; i < N; i++) sink[i] = Future.resolve(i);
});

Deno.bench(
  { name: "Future: new Completer + resolve, 10k", group: "create10k" },
  () => {
    for (let i = 0; i < N; i++) {
      const c = new Completer<number>();
      c.resolve(i);
      sink[i] = c;
    }
  },
);

Deno.bench(
  { name: "Bluebird 3.7.2: new + resolve, 10k", group: "create10k" },
  () => {
    for (let i = 0; i < N; i++) {
      sink[i] = new Bluebird((r: (v: number) => void) => r(i));
    }
  },
);

/**
 * Differential tests: the simulator against real Node (CommonJS and ESM
 * entries) and real Deno, on the corpus of tests/loop/_corpus.ts (fixtures
 * recorded by scripts/record_loop_fixtures.ts), and its html profile against
 * real Chromium on tests/loop/_html_corpus.ts (fixtures recorded by
 * scripts/record_html_fixtures.ts).
 */

import { EventLoop, type Profile, profiles } from "@pledge/core";
import assert from "node:assert/strict";
import { corpus, type Runtime, RUNTIMES } from "./_corpus.ts";
import { htmlCorpus } from "./_html_corpus.ts";

interface Fixture {
  name: string;
  recordedWith: { node: string; deno: string; runs: number };
  results: Record<Runtime, {
    majority: string[];
    stable: boolean;
    variants: { count: number; output: string[] }[];
  }>;
}

const PROFILES: Record<Runtime, Profile> = {
  "node-cjs": profiles.node,
  "node-esm": { ...profiles.node, name: "node-esm", entry: "esm" },
  "deno": profiles.deno,
};

function simulate(runtime: Runtime, name: string): string[] {
  const program = corpus.find((p) => p.name === name)!;
  const loop = new EventLoop({ profile: PROFILES[runtime] });
  const out: string[] = [];
  try {
    loop.runScript(() => program.sim(loop, (label) => out.push(label)));
    loop.runAll();
  } catch {
    // The drive stopped as the crashed process did.
    out.push("exit 1");
    loop.reset();
  }
  assert.equal(loop.queued, program.leftQueued?.[runtime] ?? 0);
  return out;
}

function load(name: string): Fixture {
  const url = new URL(`./fixtures/${name}.json`, import.meta.url);
  return JSON.parse(Deno.readTextFileSync(url));
}

const project = (out: string[], group: string[]) =>
  out.filter((label) => group.includes(label));

Deno.test("the corpus has at least 15 programs, each with a fixture", () => {
  assert.ok(corpus.length >= 15);
  for (const program of corpus) {
    const fixture = load(program.name);
    assert.equal(fixture.name, program.name);
    for (const runtime of RUNTIMES) {
      assert.ok(fixture.results[runtime].majority.length > 0);
    }
  }
});

for (const program of corpus) {
  for (const runtime of RUNTIMES) {
    const race = program.races?.[runtime];
    const what = race === undefined
      ? "matches"
      : "matches the deterministic part of";
    Deno.test(`EventLoop ${what} ${runtime} on ${program.name}`, () => {
      const fixture = load(program.name).results[runtime];
      const simulated = simulate(runtime, program.name);
      if (race === undefined) {
        assert.ok(
          fixture.stable,
          `${runtime} was not stable on ${program.name}: declare the race`,
        );
        assert.deepEqual(simulated, fixture.majority);
        return;
      }
      // Every variant the runtime produced agrees with the simulator on the
      // labels it logged and on the order within each deterministic group.
      for (const { output } of fixture.variants) {
        assert.deepEqual([...simulated].sort(), [...output].sort());
        for (const group of race.groups) {
          assert.deepEqual(project(simulated, group), project(output, group));
        }
      }
    });
  }
}

Deno.test("the simulator is deterministic where node-cjs races (immediate first)", () => {
  assert.deepEqual(simulate("node-cjs", "immediate_vs_timeout_top_level"), [
    "then",
    "immediate",
    "timeout",
  ]);
});

Deno.test("the entries differ where real runtimes differ: nextTick vs promise jobs", () => {
  const cjs = load("tick_vs_promise_top_level").results["node-cjs"].majority;
  const esm = load("tick_vs_promise_top_level").results["node-esm"].majority;
  assert.notDeepEqual(cjs, esm);
  assert.deepEqual(simulate("node-cjs", "tick_vs_promise_top_level"), cjs);
  assert.deepEqual(simulate("node-esm", "tick_vs_promise_top_level"), esm);
});

Deno.test("Deno orders nextTick unlike Node in the callback that first touches process", () => {
  const results = load("deno_lazy_process").results;
  assert.deepEqual(results["node-cjs"].majority, [
    "tick",
    "a",
    "b",
    "tick 2",
    "c",
  ]);
  assert.deepEqual(results["deno"].majority, ["a", "tick", "b", "tick 2", "c"]);
  // the simulator models Deno's steady state, which is Node's order
  assert.deepEqual(
    simulate("deno", "deno_lazy_process"),
    results["node-cjs"].majority,
  );
});

interface HtmlFixture {
  name: string;
  recordedWith: { chromium: string; runs: number };
  majority: string[];
  stable: boolean;
}

function loadHtml(name: string): HtmlFixture {
  const url = new URL(`./fixtures/html/${name}.json`, import.meta.url);
  return JSON.parse(Deno.readTextFileSync(url));
}

Deno.test("the browser corpus has at least 10 programs, each recorded stably in Chromium", () => {
  assert.ok(htmlCorpus.length >= 10);
  for (const program of htmlCorpus) {
    const fixture = loadHtml(program.name);
    assert.equal(fixture.name, program.name);
    assert.match(fixture.recordedWith.chromium, /Chrome/);
    assert.ok(fixture.stable, `Chromium was not stable on ${program.name}`);
    assert.ok(fixture.majority.length > 0);
  }
});

for (const program of htmlCorpus) {
  Deno.test(`EventLoop (html) matches Chromium on ${program.name}`, () => {
    const loop = new EventLoop({ profile: "html" });
    const out: string[] = [];
    loop.runScript(() => program.sim(loop, (label) => out.push(label)));
    loop.runAll();
    assert.deepEqual(out, loadHtml(program.name).majority);
  });
}

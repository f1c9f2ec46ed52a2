/**
 * Scores fake clocks on the installed clock's corpus: each program of
 * tests/loop/_installed_corpus.ts runs, unmodified, under
 * `VirtualClock.install()` and under @sinonjs/fake-timers 15.5.0's
 * `install()` (its defaults, and with only timers and `Date` faked), driven
 * by the async and by the sync `runAll`, and is compared with what real Deno
 * logged (tests/loop/fixtures/installed/recorded.ts; Node agrees on every
 * program). Prints one line per program and the scores, for the README.
 *
 * Usage: `deno run -A scripts/compare_installed.ts`
 *
 * @module
 */

import FakeTimers from "@sinonjs/fake-timers";
import { VirtualClock } from "../mod.ts";
import {
  installedCorpus,
  TIMERS_AND_DATE,
} from "../tests/loop/_installed_corpus.ts";
import { recorded } from "../tests/loop/fixtures/installed/recorded.ts";

interface Driven {
  runAll(): unknown;
  runAllAsync(): Promise<unknown>;
  uninstall(): void;
}

type Candidate = [name: string, install: () => Driven, sync: boolean];

const hostImmediate = setImmediate;
const turn = () => new Promise<void>((r) => hostImmediate(r));

const candidates: Candidate[] = [];
for (const sync of [false, true]) {
  candidates.push(
    [
      "pledge VirtualClock.install()",
      () => VirtualClock.install({ loopLimit: 10_000, startDate: 0 }),
      sync,
    ],
    [
      "fake-timers 15.5.0 install() (defaults)",
      () => FakeTimers.install({ loopLimit: 10_000 }),
      sync,
    ],
    [
      "fake-timers 15.5.0 install() (timers and Date only)",
      () =>
        FakeTimers.install({
          loopLimit: 10_000,
          toFake: [...TIMERS_AND_DATE] as FakeTimers.FakeMethod[],
        }),
      sync,
    ],
  );
}

async function run(source: string, [, install, sync]: Candidate) {
  const out: string[] = [];
  const clock = install();
  try {
    new Function("log", source)((label: unknown) => out.push(String(label)));
    if (sync) clock.runAll();
    else await clock.runAllAsync();
    // Native continuations still queued run while the fakes are installed
    // (what they arm is dropped with the clock).
    for (let i = 0; i < 3; i++) await turn();
  } catch (error) {
    out.push(`threw ${error}`);
  } finally {
    clock.uninstall();
  }
  return out;
}

const scores = new Map<string, number>();
const programs = installedCorpus.filter((p) =>
  recorded[p.name]?.results.deno?.stable
);
for (const program of programs) {
  const expected = JSON.stringify(
    recorded[program.name]!.results.deno!.majority,
  );
  const marks: string[] = [];
  for (const candidate of candidates) {
    const label = `${candidate[0]}, ${candidate[2] ? "runAll" : "runAllAsync"}`;
    const ok =
      JSON.stringify(await run(program.source, candidate)) === expected;
    scores.set(label, (scores.get(label) ?? 0) + (ok ? 1 : 0));
    marks.push(ok ? "ok" : "--");
  }
  console.log(`${program.name.padEnd(34)} ${marks.join(" ")}`);
}
console.log(`\n${programs.length} programs, stable on Deno:`);
for (const [label, score] of scores) console.log(`${score}  ${label}`);

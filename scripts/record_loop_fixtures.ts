/**
 * Records the real output of the event-loop corpus (tests/loop/_corpus.ts)
 * under Node (as CommonJS and as an ES module) and Deno, `RUNS` times each,
 * into tests/loop/fixtures/<program>.json: the majority output and every
 * variant seen with its count. The differential test compares the simulator
 * with these files.
 *
 * Usage: `deno run -A scripts/record_loop_fixtures.ts [name ...]`
 * (needs `node` on PATH; re-run for each new Deno or Node version).
 *
 * @module
 */

import { corpus, type Runtime, RUNTIMES } from "../tests/loop/_corpus.ts";
import { runLines as run, tally } from "./_record.ts";

const RUNS = 5;
const OUT = new URL("../tests/loop/fixtures/", import.meta.url);
// Deno creates its `process` global on first use, and the callback that first
// touches it orders its nextTick callbacks unlike Node (the
// deno_lazy_process program shows it). The prelude touches it at top level so
// that the other programs see the steady state; a program can opt out.
const LOG = "const log = (label) => console.log(label);\n";
const TOUCH = "void globalThis.process;\n";

async function version(cmd: string, args: string[]): Promise<string> {
  return (await run(cmd, args))[0]!.trim();
}

// A process that exits with an error code (a crash) logs `exit <code>` last.
const EXIT = '"$0" "$@"; c=$?; if [ $c -ne 0 ]; then echo "exit $c"; fi';

function argsFor(runtime: Runtime, dir: string): [string, string[]] {
  switch (runtime) {
    case "node-cjs":
      return ["sh", ["-c", EXIT, "node", `${dir}/program.cjs`]];
    case "node-esm":
      return ["sh", ["-c", EXIT, "node", `${dir}/program.mjs`]];
    case "deno":
      return ["sh", [
        "-c",
        EXIT,
        "deno",
        "run",
        "--no-config",
        "--quiet",
        `${dir}/program.mjs`,
      ]];
  }
}

const only = new Set(Deno.args);
const recordedWith = {
  node: await version("node", ["--version"]),
  deno: await version("deno", ["--version"]),
  runs: RUNS,
};
await Deno.mkdir(OUT, { recursive: true });

for (const program of corpus) {
  if (only.size > 0 && !only.has(program.name)) continue;
  const dir = await Deno.makeTempDir({ prefix: "pledge_loop_" });
  const prelude = LOG + (program.touchProcess === false ? "" : TOUCH);
  const source = prelude + program.source.trim() + "\n";
  await Deno.writeTextFile(`${dir}/program.cjs`, source);
  await Deno.writeTextFile(`${dir}/program.mjs`, source);
  const results: Record<string, unknown> = {};
  for (const runtime of RUNTIMES) {
    const [cmd, args] = argsFor(runtime, dir);
    const variants = await tally(cmd, args, RUNS);
    results[runtime] = {
      majority: variants[0]!.output,
      stable: variants.length === 1,
      variants,
    };
  }
  await Deno.remove(dir, { recursive: true });
  const fixture = {
    name: program.name,
    about: program.about,
    source: program.source.trim(),
    recordedWith,
    results,
  };
  await Deno.writeTextFile(
    new URL(`${program.name}.json`, OUT),
    JSON.stringify(fixture, null, 2) + "\n",
  );
  const summary = RUNTIMES.map((r) => {
    const x = results[r] as { stable: boolean; variants: unknown[] };
    return `${r}: ${x.stable ? "stable" : `${x.variants.length} variants`}`;
  }).join(", ");
  console.log(`${program.name}: ${summary}`);
}

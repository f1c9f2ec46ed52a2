/**
 * Records what the real runtimes print for each starter snippet of the
 * event-loop playground (site/src/snippets.ts): Node as CommonJS (`.cjs`),
 * Node as an ES module (`.mjs`) and Deno (an ES module), `RUNS` times each,
 * into tests/site/fixtures/<id>.json: the majority result, whether every run
 * agreed, and every variant with its count. A result is the lines the
 * snippet logged plus the uncaught error that stopped it (`"Name: message"`),
 * if any. The page's own orders are compared with these files by
 * tests/site/starters_test.ts (in Deno) and scripts/site_e2e.ts (the built
 * page in headless Chromium, which records Chromium itself live).
 *
 * Usage: `deno run -A scripts/site_record.ts [id ...]` (needs `node` on
 * PATH; re-run after changing a snippet, or for a new Node or Deno).
 *
 * @module
 */

import { SNIPPETS } from "../site/src/snippets.ts";

const RUNS = 5;
const OUT = new URL("../tests/site/fixtures/", import.meta.url);

/** A runtime the recorder runs, and the page profile it is compared with. */
export const RECORDED = ["node-cjs", "node-esm", "deno"] as const;
type Runtime = typeof RECORDED[number];

interface Result {
  output: string[];
  error: string | null;
}

const decoder = new TextDecoder();

/** The first `SomeError: message` line of a runtime's stderr. */
export function uncaughtOf(stderr: string): string | null {
  // deno-lint-ignore no-control-regex
  const plain = stderr.replace(/\x1b\[[0-9;]*m/g, "");
  const m = /\b([A-Z]\w*Error|Error): ([^\n]*)/.exec(plain);
  return m === null ? null : `${m[1]}: ${m[2]!.trim()}`;
}

async function run(cmd: string, args: string[]): Promise<Result> {
  const { stdout, stderr } = await new Deno.Command(cmd, {
    args,
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).output();
  return {
    output: decoder.decode(stdout).split("\n").filter((l) => l !== ""),
    error: uncaughtOf(decoder.decode(stderr)),
  };
}

function argsFor(runtime: Runtime, dir: string): [string, string[]] {
  switch (runtime) {
    case "node-cjs":
      return ["node", [`${dir}/snippet.cjs`]];
    case "node-esm":
      return ["node", [`${dir}/snippet.mjs`]];
    case "deno":
      return [Deno.execPath(), [
        "run",
        "--no-config",
        "--quiet",
        `${dir}/snippet.mjs`,
      ]];
  }
}

async function version(cmd: string, args: string[]): Promise<string> {
  return (await run(cmd, args)).output[0]!.trim();
}

if (import.meta.main) {
  const only = new Set(Deno.args);
  const recordedWith = {
    node: await version("node", ["--version"]),
    deno: await version(Deno.execPath(), ["--version"]),
    runs: RUNS,
  };
  await Deno.mkdir(OUT, { recursive: true });
  for (const snippet of SNIPPETS) {
    if (only.size > 0 && !only.has(snippet.id)) continue;
    const dir = await Deno.makeTempDir({ prefix: "pledge_site_" });
    await Deno.writeTextFile(`${dir}/snippet.cjs`, snippet.code);
    await Deno.writeTextFile(`${dir}/snippet.mjs`, snippet.code);
    const results: Record<string, unknown> = {};
    for (const runtime of RECORDED) {
      const [cmd, args] = argsFor(runtime, dir);
      const counts = new Map<string, number>();
      for (let i = 0; i < RUNS; i++) {
        const key = JSON.stringify(await run(cmd, args));
        counts.set(key, (counts.get(key) ?? 0) + 1);
      }
      const variants = [...counts].sort((a, b) => b[1] - a[1])
        .map(([key, count]) => ({ count, ...JSON.parse(key) as Result }));
      const { output, error } = variants[0]!;
      results[runtime] = {
        majority: { output, error },
        stable: variants.length === 1,
        variants,
      };
    }
    await Deno.remove(dir, { recursive: true });
    const fixture = {
      id: snippet.id,
      code: snippet.code,
      recordedWith,
      results,
    };
    await Deno.writeTextFile(
      new URL(`${snippet.id}.json`, OUT),
      JSON.stringify(fixture, null, 2) + "\n",
    );
    const summary = RECORDED.map((r) => {
      const x = results[r] as { stable: boolean; variants: unknown[] };
      return `${r}: ${x.stable ? "stable" : `${x.variants.length} variants`}`;
    }).join(", ");
    console.log(`${snippet.id}: ${summary}`);
  }
}

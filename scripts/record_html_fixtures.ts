/**
 * Records the real output of the browser corpus (tests/loop/_html_corpus.ts)
 * in headless Chromium (Debian's package, driven by scripts/site_cdp.ts),
 * `RUNS` times each, into tests/loop/fixtures/html/<program>.json: the
 * majority output and every variant seen with its count. Each program runs
 * as a classic script in a fresh tab of the playground's native page
 * (site/native.html), as the playground's Chromium test runs snippets. The
 * differential test compares the simulator's html profile with these files.
 *
 * Usage: `deno run -A scripts/record_html_fixtures.ts [name ...]` (re-run
 * for each new Chromium).
 *
 * @module
 */

import { htmlCorpus } from "../tests/loop/_html_corpus.ts";
import { toBase64Url } from "../site/src/url_state.ts";
import { Browser, findChromium } from "./site_cdp.ts";

const RUNS = 3;
const OUT = new URL("../tests/loop/fixtures/html/", import.meta.url);
const PAGE = new URL("../site/native.html", import.meta.url);
const LOG = "const log = (label) => console.log(label);\n";

const chromium = findChromium();
if (chromium === undefined) {
  console.log("no chromium on PATH (apt-get install -y chromium)");
  Deno.exit(1);
}
const only = new Set(Deno.args);
const browser = await Browser.launch(chromium);
try {
  await Deno.mkdir(OUT, { recursive: true });
  for (const program of htmlCorpus) {
    if (only.size > 0 && !only.has(program.name)) continue;
    const code = LOG + program.source.trim() + "\n";
    const counts = new Map<string, number>();
    for (let i = 0; i < RUNS; i++) {
      const page = await browser.newPage(`${PAGE}#code=${toBase64Url(code)}`);
      try {
        const r = await page.evaluate<{ output: string[] }>(`nativeRun`);
        const key = JSON.stringify(r.output);
        counts.set(key, (counts.get(key) ?? 0) + 1);
      } finally {
        await page.close();
      }
    }
    const variants = [...counts].sort((a, b) => b[1] - a[1])
      .map(([key, count]) => ({ count, output: JSON.parse(key) as string[] }));
    const fixture = {
      name: program.name,
      about: program.about,
      source: program.source.trim(),
      recordedWith: { chromium: browser.version, runs: RUNS },
      majority: variants[0]!.output,
      stable: variants.length === 1,
      variants,
    };
    await Deno.writeTextFile(
      new URL(`${program.name}.json`, OUT),
      JSON.stringify(fixture, null, 2) + "\n",
    );
    console.log(
      `${program.name}: ${
        fixture.stable ? "stable" : `${variants.length} variants`
      }`,
    );
  }
} finally {
  await browser.close();
}

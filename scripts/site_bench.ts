/**
 * `deno task site:bench`: how long the playground takes to simulate and draw
 * a snippet that schedules 10,000 callbacks (5,000 timers, each queueing a
 * promise reaction that prints), in headless Chromium: from pressing Run to
 * the first frame after the page has drawn the result, split into the Web
 * Worker's part (transform, simulation, transfer) and the drawing. The
 * budget is 500 ms. As a baseline in the same browser, interleaved with the
 * page's runs, the same snippet goes through the worker's code alone
 * (transform, simulation, transfer), without the page around it.
 * Prints the page's bundle sizes too.
 *
 * Usage: `deno task site:bench [--runs 10]`
 *
 * @module
 */

import { sizeTable } from "./site_build.ts";
import { findChromium, startPlayground } from "./site_cdp.ts";
import { toBase64Url } from "../site/src/url_state.ts";

const BUDGET_MS = 500;
const SNIPPET =
  `// 10,000 callbacks: 5,000 timers, each queueing a promise reaction.
for (let i = 0; i < 5000; i++) {
  setTimeout(() => {
    Promise.resolve(i).then((n) => console.log("callback", n));
  }, i % 50);
}
`;

function stats(xs: number[]): { median: number; p90: number; min: number } {
  const s = [...xs].sort((a, b) => a - b);
  const at = (q: number) =>
    s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
  return { median: at(0.5), p90: at(0.9), min: s[0]! };
}

const i = Deno.args.indexOf("--runs");
const RUNS = i >= 0 ? Number(Deno.args[i + 1]) : 10;
const chromium = findChromium();
if (chromium === undefined) {
  console.log("site bench: skipped: no chromium");
  Deno.exit(0);
}
const session = await startPlayground(
  chromium,
  new URL("../site/dist/", import.meta.url),
);
const { browser, sizes } = session;
try {
  const page = await browser.newPage(
    `${session.url}#code=${toBase64Url(SNIPPET)}&p=html`,
  );
  await page.waitFor(`window.playground && playground.runs >= 1`, 30_000);
  const events = await page.evaluate<number>(
    `playground.panels[0].result.events.length`,
  );
  // Baseline, interleaved with the page's runs: the same worker code alone
  // (transform, simulation, transfer), without the page's drawing.
  await page.evaluate(`(() => {
    const w = new Worker(URL.createObjectURL(new Blob([PLEDGE_WORKER_SOURCE])));
    let id = 0;
    window.benchAlone = () => new Promise((resolve) => {
      const t0 = performance.now();
      w.onmessage = () => resolve(performance.now() - t0);
      w.postMessage({ id: ++id, code: ${
    JSON.stringify(SNIPPET)
  }, options: { profile: "html" } });
    });
  })()`);
  const totals: number[] = [];
  const sims: number[] = [];
  const draws: number[] = [];
  const alone: number[] = [];
  for (let r = 0; r < RUNS + 2; r++) {
    const t = await page.evaluate<{ simulateMs: number; drawMs: number }>(
      `playground.run().then(() => playground.timing)`,
    );
    const a = await page.evaluate<number>(`benchAlone()`);
    if (r < 2) continue; // warm-up
    sims.push(t.simulateMs);
    draws.push(t.drawMs);
    totals.push(t.simulateMs + t.drawMs);
    alone.push(a);
  }
  const total = stats(totals);
  const base = stats(alone);
  console.log(
    `${browser.version}, ${RUNS} runs after 2 warm-ups, ${events} trace events`,
  );
  console.log(
    `  simulate (worker, incl. transfer): median ${
      stats(sims).median.toFixed(1)
    } ms`,
  );
  console.log(
    `  draw (DOM, layout, next frame):   median ${
      stats(draws).median.toFixed(1)
    } ms`,
  );
  console.log(
    `  run to drawn:                      median ${
      total.median.toFixed(1)
    } ms, p90 ${total.p90.toFixed(1)} ms, min ${
      total.min.toFixed(1)
    } ms (budget ${BUDGET_MS} ms: ${
      total.p90 < BUDGET_MS ? "within" : "OVER"
    })`,
  );
  console.log(
    `  baseline, the worker alone:        median ${
      base.median.toFixed(1)
    } ms (run to drawn = ${(total.median / base.median).toFixed(2)}x it)`,
  );
  console.log("bundle:");
  console.log(sizeTable(sizes));
  await page.close();
} finally {
  await session.close();
}

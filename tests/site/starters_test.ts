/**
 * The playground's simulation of each starter snippet against the orders
 * recorded from real Node (CommonJS and ESM) and Deno
 * (tests/site/fixtures, written by scripts/site_record.ts). The browser
 * profile is compared with Chromium itself by scripts/site_e2e.ts.
 */

import assert from "node:assert/strict";
import { runSnippet } from "../../site/src/run.ts";
import { SNIPPETS } from "../../site/src/snippets.ts";
import {
  loadFixture,
  RECORDED_PROFILES,
  unsupportedFeature,
} from "./_expected.ts";

const STDOUT = new Set(["log", "info", "debug"]);

for (const snippet of SNIPPETS) {
  Deno.test(`starter ${snippet.id}: its fixture records this code, stably`, () => {
    const fixture = loadFixture(snippet.id);
    assert.equal(
      fixture.code,
      snippet.code,
      "the snippet changed: re-record with `deno run -A scripts/site_record.ts`",
    );
    for (const [runtime, r] of Object.entries(fixture.results)) {
      assert.ok(r.stable, `${runtime} printed ${r.variants.length} variants`);
    }
  });

  for (const [runtime, profile] of Object.entries(RECORDED_PROFILES)) {
    const unsupported = unsupportedFeature(snippet.id, profile);
    const what = unsupported === undefined
      ? `prints what ${runtime} printed`
      : `says ${unsupported} is not simulated yet`;
    Deno.test(`starter ${snippet.id} under ${profile} ${what}`, () => {
      const result = runSnippet(snippet.code, { profile });
      if (unsupported !== undefined) {
        assert.ok(
          result.notSimulated.includes(unsupported),
          `${snippet.id} is now simulated under ${profile}: remove it from EXPECTED_UNSUPPORTED`,
        );
        return;
      }
      const want = loadFixture(snippet.id).results[
        runtime as keyof typeof RECORDED_PROFILES
      ].majority;
      const output = result.output.filter((l) => STDOUT.has(l.level))
        .map((l) => l.text);
      const error = result.errors[0] === undefined
        ? null
        : `${result.errors[0].name}: ${result.errors[0].message}`;
      assert.deepEqual({ output, error }, want);
      assert.equal(result.stopped?.kind ?? "uncaught", "uncaught");
    });
  }

  Deno.test(`starter ${snippet.id} runs under html without a page failure`, () => {
    const result = runSnippet(snippet.code, { profile: "html" });
    const unsupported = unsupportedFeature(snippet.id, "html");
    if (unsupported !== undefined) {
      assert.ok(
        result.notSimulated.includes(unsupported),
        `${snippet.id} is now simulated under html: remove it from EXPECTED_UNSUPPORTED`,
      );
      return;
    }
    assert.equal(result.stopped, undefined);
    assert.ok(result.output.length > 0);
  });
}

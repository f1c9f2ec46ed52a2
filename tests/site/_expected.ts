/**
 * The starter snippets the page cannot simulate yet, with the feature each
 * needs (issue 14 brings them to the library). For these, the tests expect
 * the page to say "not simulated" under every profile instead of an order;
 * once a feature lands, the page runs the snippet, the tests fail with
 * "now simulated: remove it from EXPECTED_UNSUPPORTED", and this list
 * shrinks.
 *
 * Used by tests/site/starters_test.ts (Deno) and scripts/site_test.ts
 * (headless Chromium).
 *
 * @module
 */

/** Snippet id -> the feature the page reports as not simulated. */
export const EXPECTED_UNSUPPORTED: Readonly<Record<string, string>> = {
  "blocked-loop": "busy loop",
  "message-channel": "MessageChannel",
};

/** The page profile compared with each recorded runtime. */
export const RECORDED_PROFILES = {
  "node-cjs": "node",
  "node-esm": "node-esm",
  deno: "deno",
} as const;

/** A recorded result: what a runtime printed and the error that stopped it. */
export interface Recorded {
  /** console.log lines. */
  output: string[];
  /** `"Name: message"` of the uncaught error, or null. */
  error: string | null;
}

/** The fixture of one snippet (scripts/site_record.ts writes them). */
export interface SnippetFixture {
  /** The snippet id. */
  id: string;
  /** The code that was recorded (stale when the snippet changed). */
  code: string;
  /** Runtime versions. */
  recordedWith: { node: string; deno: string; runs: number };
  /** Per runtime. */
  results: Record<
    keyof typeof RECORDED_PROFILES,
    {
      majority: Recorded;
      stable: boolean;
      variants: (Recorded & { count: number })[];
    }
  >;
}

/** Reads the fixture of snippet `id`. */
export function loadFixture(id: string): SnippetFixture {
  const url = new URL(`./fixtures/${id}.json`, import.meta.url);
  return JSON.parse(Deno.readTextFileSync(url));
}

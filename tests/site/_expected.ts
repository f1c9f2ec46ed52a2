/**
 * The starter snippets the page cannot simulate (yet), with the feature each
 * needs. For these, the tests expect the page to say "not simulated" under
 * the profiles listed instead of (or beside) an order; once a feature
 * lands, the page runs the snippet, the tests fail with "now simulated:
 * remove it from EXPECTED_UNSUPPORTED", and this list shrinks. Issue 14 brought
 * the last three (a busy loop, MessageChannel, the order of postTask tasks
 * and timers): every starter is simulated now.
 *
 * Used by tests/site/starters_test.ts (Deno) and scripts/site_e2e.ts
 * (headless Chromium).
 *
 * @module
 */

/** A starter that needs a feature the page does not simulate yet. */
export interface Unsupported {
  /** The feature the page names (`RunResult.notSimulated`). */
  readonly feature: string;
  /** The profiles under which it is needed. */
  readonly profiles: readonly string[];
}

/** Snippet id -> the feature it needs, and where. */
export const EXPECTED_UNSUPPORTED: Readonly<Record<string, Unsupported>> = {};

/** The feature snippet `id` needs under `profile`, if any. */
export function unsupportedFeature(
  id: string,
  profile: string,
): string | undefined {
  const u = EXPECTED_UNSUPPORTED[id];
  return u !== undefined && u.profiles.includes(profile)
    ? u.feature
    : undefined;
}

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

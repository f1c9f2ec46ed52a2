/**
 * The modules a file loads by URL rather than by import, such as a worker's
 * bootstrap (`new Worker(new URL("./_worker.ts", import.meta.url))`): the npm
 * build emits and packs them, and rewrites their `.ts` to `.js`.
 *
 * @module
 */

const MODULE_URL =
  /new\s+URL\(\s*(["'])(\.\.?\/[^"']+\.ts)\1\s*,\s*import\.meta\.url\s*\)/g;

/** The relative `.ts` specifiers of `new URL("./x.ts", import.meta.url)`. */
export function moduleUrls(text: string): string[] {
  return [...text.matchAll(MODULE_URL)].map((m) => m[2]!);
}

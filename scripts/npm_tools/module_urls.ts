/**
 * The modules a file loads by URL rather than by import, such as a worker's
 * bootstrap (`new Worker(new URL("./_worker.ts", import.meta.url))`, or
 * `import.meta.resolve("./_worker.ts")`): the npm build emits and packs them,
 * and rewrites their `.ts` to `.js`.
 *
 * @module
 */

const MODULE_URL =
  /new\s+URL\(\s*(["'])(\.\.?\/[^"']+\.ts)\1\s*,\s*import\.meta\.url\s*,?\s*\)|import\.meta\.resolve\(\s*(["'])(\.\.?\/[^"']+\.ts)\3\s*,?\s*\)/g;

/**
 * The relative `.ts` specifiers of `new URL("./x.ts", import.meta.url)` and
 * `import.meta.resolve("./x.ts")`.
 */
export function moduleUrls(text: string): string[] {
  return [...text.matchAll(MODULE_URL)].map((m) => m[2] ?? m[4]!);
}

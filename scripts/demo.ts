/**
 * `deno task demo`: a tour of pledge, one part per area, all on virtual time
 * except where a part says otherwise.
 *
 * @module
 */

import { demo as future } from "./demo/future.ts";

const parts: [string, () => Promise<void>][] = [
  ["Future and Completer", future],
];

for (const [title, run] of parts) {
  console.log(`\n=== ${title} ===`);
  await run();
}

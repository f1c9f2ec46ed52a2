/**
 * The whole bad-argument table: the sections of every area, one entry per
 * public function, constructor and method.
 *
 * @module
 */

import type { Table } from "./_misuse.ts";
import { FUTURE } from "./_future.ts";
import { CANCEL } from "./_cancel.ts";
import { COMBINATORS } from "./_combinators.ts";
import { EXECUTORS } from "./_executors.ts";
import { LOOP } from "./_loop.ts";
import { RESILIENCE } from "./_resilience.ts";
import { STORES_TABLE } from "./_stores.ts";
import { WORKERS } from "./_workers.ts";

const SECTIONS = [
  FUTURE,
  CANCEL,
  COMBINATORS,
  EXECUTORS,
  LOOP,
  RESILIENCE,
  STORES_TABLE,
  WORKERS,
];

/** The whole table (a key in two sections is an error of the table). */
export const TABLE: Table = {};
for (const section of SECTIONS) {
  for (const [key, entry] of Object.entries(section)) {
    if (key in TABLE) throw new Error(`the table has ${key} twice`);
    TABLE[key] = entry;
  }
}

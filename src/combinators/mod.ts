/**
 * Combinators: typed `all`, `allSettled`, `any`, `race` over tuples and
 * records, concurrency-limited mapping, `reduce`, `pipeline`, `timeout`,
 * `debounce` and `throttle`.
 *
 * @example Waiting for a tuple and mapping with a limit
 * ```ts
 * import { all, mapConcurrent } from "@pledge/core/combinators";
 * import assert from "node:assert/strict";
 *
 * const [a, b] = await all([Promise.resolve(1), 2]);
 * assert.equal(a + b, 3);
 * const doubled = await mapConcurrent([1, 2, 3], async (n) => n * 2, {
 *   concurrency: 2,
 * });
 * assert.deepEqual(doubled, [2, 4, 6]);
 * ```
 *
 * @module
 */

export type {
  AllValues,
  CombinatorInput,
  CombinatorOptions,
  Resolved,
  SettledValues,
  Task,
} from "./all.ts";
export { all, allSettled } from "./all.ts";
export type { Winner, WinnerOf } from "./race_any.ts";
export { any, anyWithWinner, race, raceWithWinner } from "./race_any.ts";
export type {
  MapConcurrentOptions,
  MapItems,
  Mapper,
} from "./map_concurrent.ts";
export { mapConcurrent } from "./map_concurrent.ts";
export type {
  MapConcurrentIterableOptions,
  MapConcurrentIterator,
} from "./map_concurrent_iterable.ts";
export { mapConcurrentIterable } from "./map_concurrent_iterable.ts";
export type { SequenceOptions } from "./sequence.ts";
export { sequence } from "./sequence.ts";
export type { MapReduceOptions, ReduceOptions, Reducer } from "./reduce.ts";
export { mapReduce, reduce } from "./reduce.ts";
export type {
  Pipeline,
  PipelineOptions,
  PipelineStep,
  RecoverStage,
  Stage,
} from "./pipeline.ts";
export { pipeline } from "./pipeline.ts";
export type { TimeoutOptions, TimeoutWork } from "./timeout.ts";
export { timeout } from "./timeout.ts";
export type { Debounced, DebounceOptions } from "./debounce.ts";
export { debounce } from "./debounce.ts";
export type { Throttled, ThrottleOptions } from "./throttle.ts";
export { throttle } from "./throttle.ts";

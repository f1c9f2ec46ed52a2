/**
 * `pipeline`: compose async stages into one function, with `onError` stages
 * that can recover.
 *
 * @module
 */

import { abortable } from "../cancel/signals.ts";
import { assertOptions, assertSignal, typeError } from "../core/_validate.ts";
import { Future } from "../future/future.ts";
import { isThenable } from "../core/_thenable.ts";

/**
 * A stage of a {@linkcode pipeline}: receives the previous stage's value
 * (the pipeline's input for the first) and the run's signal.
 *
 * @typeParam I The type of the input.
 * @typeParam O The type of the output.
 *
 * @example Reusable stages
 * ```ts
 * import { pipeline, type Stage } from "@pledge/core";
 * import assert from "node:assert/strict";
 *
 * const parse: Stage<string, number> = (text) => Number.parseInt(text, 10);
 * const double: Stage<number, number> = async (n) => n * 2;
 * assert.equal(await pipeline(parse, double)("21"), 42);
 * ```
 */
export type Stage<I, O> = (input: I, signal: AbortSignal) => O | PromiseLike<O>;

/**
 * A recovery stage of a {@linkcode pipeline}: skipped while all goes well;
 * after a failure, the stages up to it are skipped and `onError` receives
 * the error. What it returns (of the type flowing at that point) lets the
 * stages after it run; what it throws goes on to the next recovery stage.
 *
 * @typeParam I The type of the value flowing through it.
 *
 * @example Falling back to zero, and keeping the error
 * ```ts
 * import { pipeline, type RecoverStage } from "@pledge/core";
 * import assert from "node:assert/strict";
 *
 * const errors: unknown[] = [];
 * const orZero: RecoverStage<number> = {
 *   onError: (error) => (errors.push(error), 0),
 * };
 * const parse = pipeline((text: string) => JSON.parse(text) as number, orZero);
 * assert.equal(await parse("7"), 7);
 * assert.equal(await parse("seven"), 0);
 * assert.ok(errors[0] instanceof SyntaxError);
 * ```
 */
export interface RecoverStage<I> {
  /**
   * Recovers from a failure of an earlier stage.
   *
   * @param error What the failed stage threw or rejected with.
   * @param signal The run's signal.
   * @returns The value passed to the next stage.
   */
  onError(error: unknown, signal: AbortSignal): I | PromiseLike<I>;
}

/**
 * A step of a {@linkcode pipeline} after the first: a stage or a recovery
 * stage (which keeps the type flowing through it).
 *
 * @typeParam I The type of the input.
 * @typeParam O The type of the output.
 *
 * @example A check and its recovery as steps
 * ```ts
 * import { pipeline, type PipelineStep } from "@pledge/core";
 * import assert from "node:assert/strict";
 *
 * const nonEmpty: PipelineStep<string, string> = (s) => {
 *   if (s === "") throw new Error("empty");
 *   return s;
 * };
 * const guest: PipelineStep<string, string> = { onError: () => "guest" };
 * const userName = pipeline((raw: string) => raw.trim(), nonEmpty, guest);
 * assert.equal(await userName("  ada "), "ada");
 * assert.equal(await userName("   "), "guest");
 * ```
 */
export type PipelineStep<I, O> = Stage<I, O> | RecoverStage<I>;

/**
 * Options of a {@linkcode Pipeline} run.
 *
 * @example Aborting a run between stages
 * ```ts
 * import { pipeline, type PipelineOptions } from "@pledge/core";
 * import assert from "node:assert/strict";
 *
 * const controller = new AbortController();
 * const options: PipelineOptions = { signal: controller.signal };
 * const ran: string[] = [];
 * const run = pipeline(
 *   (id: number) => (ran.push("fetch"), controller.abort("stop"), id),
 *   (id) => (ran.push("save"), id),
 * );
 * await assert.rejects(run(1, options), (e) => e === "stop");
 * assert.deepEqual(ran, ["fetch"]);
 * ```
 */
export interface PipelineOptions {
  /**
   * Rejects with `signal.reason` unchanged when aborted (recovery stages do
   * not catch it); no later stage starts. Stages receive this signal (or a
   * signal of the run's own that never aborts).
   */
  signal?: AbortSignal;
}

/**
 * A composed pipeline: runs the stages in order on `input`.
 *
 * @typeParam I The type of the input.
 * @typeParam O The type of the output.
 *
 * @example Accepting any pipeline from text to number
 * ```ts
 * import { pipeline, type Pipeline } from "@pledge/core";
 * import assert from "node:assert/strict";
 *
 * async function sum(run: Pipeline<string, number>, inputs: string[]) {
 *   let total = 0;
 *   for (const input of inputs) total += await run(input);
 *   return total;
 * }
 * const parse: Pipeline<string, number> = pipeline((s: string) => Number(s));
 * assert.equal(await sum(parse, ["1", "2"]), 3);
 * ```
 */
export type Pipeline<I, O> = (input: I, options?: PipelineOptions) => Future<O>;

const ACTION = "create a pipeline";
const RUN = "run a pipeline";

/**
 * Composes stages into one async function: `pipeline(f, g, h)(x)` runs
 * `h(await g(await f(x)))`, passing each stage the run's signal. A stage
 * that throws or rejects skips the stages after it up to the next
 * recovery stage `{ onError(error, signal) }`, whose result resumes the
 * flow; without one, the run rejects with the error.
 *
 * The types flow from stage to stage (up to 8 stages are typed; longer
 * pipelines are typed `unknown`). A recovery stage returns the type flowing
 * where it stands.
 *
 * @typeParam A The input type.
 * @typeParam B The output type.
 * @param s1 The only stage.
 * @returns The pipeline: `(input, { signal }) => Future<output>`.
 * @throws {TypeError} When a stage is neither a function nor an object with
 *   an `onError` function, or the first stage is not a function.
 *
 * @example Parse, recover, then use
 * ```ts
 * import { pipeline } from "@pledge/core";
 * import assert from "node:assert/strict";
 *
 * const port = pipeline(
 *   (text: string) => JSON.parse(text) as { port?: number },
 *   (config) => config.port ?? 80,
 *   { onError: () => 8080 },
 *   (n) => `:${n}`,
 * );
 * assert.equal(await port('{"port": 443}'), ":443");
 * assert.equal(await port("not json"), ":8080");
 * ```
 *
 * @example A single stage
 * ```ts
 * import { pipeline } from "@pledge/core";
 * import assert from "node:assert/strict";
 *
 * const length = pipeline(async (text: string) => text.length);
 * assert.equal(await length("pledge"), 6);
 * ```
 */
export function pipeline<A, B>(s1: Stage<A, B>): Pipeline<A, B>;
/**
 * Composes 2 stages.
 *
 * @typeParam A The input type.
 * @typeParam B The output type of stage 1.
 * @typeParam C The output type of stage 2.
 * @param s1 Stage 1.
 * @param s2 Stage 2.
 * @returns The pipeline.
 *
 * @example Two stages
 * ```ts
 * import { pipeline } from "@pledge/core";
 * import assert from "node:assert/strict";
 *
 * const wordCount = pipeline(
 *   (text: string) => text.split(/\s+/),
 *   (words) => words.length,
 * );
 * assert.equal(await wordCount("to be or not"), 4);
 * ```
 */
export function pipeline<A, B, C = B>(
  s1: Stage<A, B>,
  s2: PipelineStep<B, C>,
): Pipeline<A, C>;
/**
 * Composes 3 stages.
 *
 * @typeParam A The input type.
 * @typeParam B The output type of stage 1.
 * @typeParam C The output type of stage 2.
 * @typeParam D The output type of stage 3.
 * @param s1 Stage 1.
 * @param s2 Stage 2.
 * @param s3 Stage 3.
 * @returns The pipeline.
 *
 * @example Three stages, the last one recovering
 * ```ts
 * import { pipeline } from "@pledge/core";
 * import assert from "node:assert/strict";
 *
 * const port = pipeline(
 *   (text: string) => JSON.parse(text) as { port: number },
 *   (config) => config.port,
 *   { onError: () => 80 },
 * );
 * assert.equal(await port('{"port": 8080}'), 8080);
 * assert.equal(await port("{"), 80);
 * ```
 */
export function pipeline<A, B, C = B, D = C>(
  s1: Stage<A, B>,
  s2: PipelineStep<B, C>,
  s3: PipelineStep<C, D>,
): Pipeline<A, D>;
/**
 * Composes 4 stages.
 *
 * @typeParam A The input type.
 * @typeParam B The output type of stage 1.
 * @typeParam C The output type of stage 2.
 * @typeParam D The output type of stage 3.
 * @typeParam E The output type of stage 4.
 * @param s1 Stage 1.
 * @param s2 Stage 2.
 * @param s3 Stage 3.
 * @param s4 Stage 4.
 * @returns The pipeline.
 *
 * @example Four stages
 * ```ts
 * import { pipeline } from "@pledge/core";
 * import assert from "node:assert/strict";
 *
 * const slug = pipeline(
 *   (title: string) => title.trim(),
 *   (title) => title.toLowerCase(),
 *   (title) => title.split(/\s+/),
 *   (words) => words.join("-"),
 * );
 * assert.equal(await slug("  Hello Async World "), "hello-async-world");
 * ```
 */
export function pipeline<A, B, C = B, D = C, E = D>(
  s1: Stage<A, B>,
  s2: PipelineStep<B, C>,
  s3: PipelineStep<C, D>,
  s4: PipelineStep<D, E>,
): Pipeline<A, E>;
/**
 * Composes 5 stages.
 *
 * @typeParam A The input type.
 * @typeParam B The output type of stage 1.
 * @typeParam C The output type of stage 2.
 * @typeParam D The output type of stage 3.
 * @typeParam E The output type of stage 4.
 * @typeParam F The output type of stage 5.
 * @param s1 Stage 1.
 * @param s2 Stage 2.
 * @param s3 Stage 3.
 * @param s4 Stage 4.
 * @param s5 Stage 5.
 * @returns The pipeline.
 *
 * @example Five stages, one of them async
 * ```ts
 * import { pipeline } from "@pledge/core";
 * import assert from "node:assert/strict";
 *
 * const price = pipeline(
 *   (sku: string) => sku.toUpperCase(),
 *   async (sku) => ({ sku, cents: sku.length * 100 }),
 *   (item) => item.cents,
 *   (cents) => cents * 1.2,
 *   (gross) => (gross / 100).toFixed(2),
 * );
 * assert.equal(await price("ab1"), "3.60");
 * ```
 */
export function pipeline<A, B, C = B, D = C, E = D, F = E>(
  s1: Stage<A, B>,
  s2: PipelineStep<B, C>,
  s3: PipelineStep<C, D>,
  s4: PipelineStep<D, E>,
  s5: PipelineStep<E, F>,
): Pipeline<A, F>;
/**
 * Composes 6 stages.
 *
 * @typeParam A The input type.
 * @typeParam B The output type of stage 1.
 * @typeParam C The output type of stage 2.
 * @typeParam D The output type of stage 3.
 * @typeParam E The output type of stage 4.
 * @typeParam F The output type of stage 5.
 * @typeParam G The output type of stage 6.
 * @param s1 Stage 1.
 * @param s2 Stage 2.
 * @param s3 Stage 3.
 * @param s4 Stage 4.
 * @param s5 Stage 5.
 * @param s6 Stage 6.
 * @returns The pipeline.
 *
 * @example Six stages with a recovery in the middle
 * ```ts
 * import { pipeline } from "@pledge/core";
 * import assert from "node:assert/strict";
 *
 * const retries = pipeline(
 *   (url: string) => new URL(url),
 *   (url) => url.searchParams.get("retries"),
 *   (text) => text === null ? Promise.reject(new Error("unset")) : Number(text),
 *   { onError: () => 3 },
 *   (n) => Math.min(n, 5),
 *   (n) => `${n} retries`,
 * );
 * assert.equal(await retries("https://x.test/?retries=9"), "5 retries");
 * assert.equal(await retries("https://x.test/"), "3 retries");
 * ```
 */
export function pipeline<A, B, C = B, D = C, E = D, F = E, G = F>(
  s1: Stage<A, B>,
  s2: PipelineStep<B, C>,
  s3: PipelineStep<C, D>,
  s4: PipelineStep<D, E>,
  s5: PipelineStep<E, F>,
  s6: PipelineStep<F, G>,
): Pipeline<A, G>;
/**
 * Composes 7 stages.
 *
 * @typeParam A The input type.
 * @typeParam B The output type of stage 1.
 * @typeParam C The output type of stage 2.
 * @typeParam D The output type of stage 3.
 * @typeParam E The output type of stage 4.
 * @typeParam F The output type of stage 5.
 * @typeParam G The output type of stage 6.
 * @typeParam H The output type of stage 7.
 * @param s1 Stage 1.
 * @param s2 Stage 2.
 * @param s3 Stage 3.
 * @param s4 Stage 4.
 * @param s5 Stage 5.
 * @param s6 Stage 6.
 * @param s7 Stage 7.
 * @returns The pipeline.
 *
 * @example Seven stages
 * ```ts
 * import { pipeline } from "@pledge/core";
 * import assert from "node:assert/strict";
 *
 * const median = pipeline(
 *   (csv: string) => csv.split(","),
 *   (cells) => cells.map(Number),
 *   (numbers) => numbers.filter((n) => !Number.isNaN(n)),
 *   (numbers) => numbers.sort((a, b) => a - b),
 *   (sorted) => sorted[Math.floor(sorted.length / 2)],
 *   (middle) => middle ?? 0,
 *   (middle) => `median ${middle}`,
 * );
 * assert.equal(await median("5,x,1,9"), "median 5");
 * ```
 */
export function pipeline<A, B, C = B, D = C, E = D, F = E, G = F, H = G>(
  s1: Stage<A, B>,
  s2: PipelineStep<B, C>,
  s3: PipelineStep<C, D>,
  s4: PipelineStep<D, E>,
  s5: PipelineStep<E, F>,
  s6: PipelineStep<F, G>,
  s7: PipelineStep<G, H>,
): Pipeline<A, H>;
/**
 * Composes 8 stages.
 *
 * @typeParam A The input type.
 * @typeParam B The output type of stage 1.
 * @typeParam C The output type of stage 2.
 * @typeParam D The output type of stage 3.
 * @typeParam E The output type of stage 4.
 * @typeParam F The output type of stage 5.
 * @typeParam G The output type of stage 6.
 * @typeParam H The output type of stage 7.
 * @typeParam I The output type of stage 8.
 * @param s1 Stage 1.
 * @param s2 Stage 2.
 * @param s3 Stage 3.
 * @param s4 Stage 4.
 * @param s5 Stage 5.
 * @param s6 Stage 6.
 * @param s7 Stage 7.
 * @param s8 Stage 8.
 * @returns The pipeline.
 *
 * @example Eight stages
 * ```ts
 * import { pipeline } from "@pledge/core";
 * import assert from "node:assert/strict";
 *
 * const greet = pipeline(
 *   (raw: string) => raw.trim(),
 *   (name) => name === "" ? Promise.reject(new Error("empty")) : name,
 *   { onError: () => "world" },
 *   (name) => name.toLowerCase(),
 *   (name) => name.charAt(0).toUpperCase() + name.slice(1),
 *   async (name) => `Hello, ${name}`,
 *   (greeting) => `${greeting}!`,
 *   (greeting) => greeting.slice(0, 20),
 * );
 * assert.equal(await greet("  ADA "), "Hello, Ada!");
 * assert.equal(await greet(" "), "Hello, World!");
 * ```
 */
export function pipeline<A, B, C = B, D = C, E = D, F = E, G = F, H = G, I = H>(
  s1: Stage<A, B>,
  s2: PipelineStep<B, C>,
  s3: PipelineStep<C, D>,
  s4: PipelineStep<D, E>,
  s5: PipelineStep<E, F>,
  s6: PipelineStep<F, G>,
  s7: PipelineStep<G, H>,
  s8: PipelineStep<H, I>,
): Pipeline<A, I>;
/**
 * Composes any number of stages, typed `unknown`.
 *
 * @param stages The stages.
 * @returns The pipeline.
 *
 * @example Ten stages built at run time
 * ```ts
 * import { pipeline } from "@pledge/core";
 * import assert from "node:assert/strict";
 *
 * const double = (n: unknown) => Number(n) * 2;
 * const tenDoublings = pipeline(...Array.from({ length: 10 }, () => double));
 * assert.equal(await tenDoublings(1), 1024);
 * ```
 */
export function pipeline(
  ...stages: PipelineStep<unknown, unknown>[]
): Pipeline<unknown, unknown>;
export function pipeline(
  ...stages: PipelineStep<unknown, unknown>[]
): Pipeline<unknown, unknown> {
  if (stages.length === 0 || typeof stages[0] !== "function") {
    typeError(ACTION, "stages[0]", "a function", stages[0]);
  }
  for (let i = 1; i < stages.length; i++) {
    const stage = stages[i];
    if (
      typeof stage !== "function" &&
      (typeof stage !== "object" || stage === null ||
        typeof stage.onError !== "function")
    ) {
      typeError(
        ACTION,
        `stages[${i}]`,
        "a function or an object with an onError function",
        stage,
      );
    }
  }
  const steps = stages.slice();
  return (input: unknown, options?: PipelineOptions): Future<unknown> => {
    assertOptions(RUN, options);
    const signal = options?.signal;
    assertSignal(RUN, signal);
    if (signal !== undefined && signal.aborted) {
      return Future.reject(signal.reason);
    }
    return abortable(
      run(steps, input, signal ?? new AbortController().signal),
      signal,
    );
  };
}

async function run(
  steps: PipelineStep<unknown, unknown>[],
  input: unknown,
  signal: AbortSignal,
): Promise<unknown> {
  let value = input;
  let failed = false;
  let error: unknown;
  for (let i = 0; i < steps.length; i++) {
    const step = steps[i]!;
    const recover = typeof step !== "function";
    if (recover !== failed) continue; // skip: a stage after a failure, or a recovery while all is well
    if (signal.aborted) throw signal.reason;
    try {
      const next = recover ? step.onError(error, signal) : step(value, signal);
      value = isThenable(next) ? await next : next;
      failed = false;
      error = undefined;
    } catch (e) {
      failed = true;
      error = e;
    }
  }
  if (failed) throw error;
  return value;
}

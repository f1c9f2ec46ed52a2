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
import { FutureWaits } from "./_future_waits.ts";

/**
 * A stage of a {@linkcode pipeline}: receives the previous stage's value
 * (the pipeline's input for the first) and the run's signal.
 *
 * @typeParam I The type of the input.
 * @typeParam O The type of the output.
 */
export type Stage<I, O> = (input: I, signal: AbortSignal) => O | PromiseLike<O>;

/**
 * A recovery stage of a {@linkcode pipeline}: skipped while all goes well;
 * after a failure, the stages up to it are skipped and `onError` receives
 * the error. What it returns (of the type flowing at that point) lets the
 * stages after it run; what it throws goes on to the next recovery stage.
 *
 * @typeParam I The type of the value flowing through it.
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
 */
export type PipelineStep<I, O> = Stage<I, O> | RecoverStage<I>;

/** Options of a {@linkcode Pipeline} run. */
export interface PipelineOptions {
  /**
   * Rejects with `signal.reason` unchanged when aborted (recovery stages do
   * not catch it); no later stage starts. Stages receive this signal (or a
   * signal of the run's own that never aborts).
   */
  signal?: AbortSignal;
}

/**
 * A composed pipeline: runs the stages in order on `input`. A run never
 * throws: bad options reject the returned future.
 *
 * @typeParam I The type of the input.
 * @typeParam O The type of the output.
 * @throws {TypeError} Rejects with it (never throws) when `options` is not
 *   an options object (an `AbortSignal` in its place included) or `signal`
 *   is not an `AbortSignal`.
 */
export type Pipeline<I, O> = (input: I, options?: PipelineOptions) => Future<O>;

const ACTION = "create a pipeline";
const RUN = "run a pipeline";

/**
 * Composes one stage.
 *
 * @typeParam A The input type.
 * @typeParam B The output type of stage 1.
 * @param s1 Stage 1.
 * @returns The pipeline.
 */
export function pipeline<A, B>(s1: Stage<A, B>): Pipeline<A, B>;
/**
 * Composes 2 stages, typed from stage to stage.
 *
 * @typeParam A The input type.
 * @typeParam B The output type of stage 1.
 * @typeParam C The output type of stage 2.
 * @param s1 Stage 1.
 * @param s2 Stage 2.
 * @returns The pipeline.
 */
export function pipeline<A, B, C = B>(
  s1: Stage<A, B>,
  s2: PipelineStep<B, C>,
): Pipeline<A, C>;
/**
 * Composes 3 stages, typed from stage to stage.
 *
 * @typeParam A The input type.
 * @typeParam B The output type of stage 1.
 * @typeParam C The output type of stage 2.
 * @typeParam D The output type of stage 3.
 * @param s1 Stage 1.
 * @param s2 Stage 2.
 * @param s3 Stage 3.
 * @returns The pipeline.
 */
export function pipeline<A, B, C = B, D = C>(
  s1: Stage<A, B>,
  s2: PipelineStep<B, C>,
  s3: PipelineStep<C, D>,
): Pipeline<A, D>;
/**
 * Composes 4 stages, typed from stage to stage.
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
 */
export function pipeline<A, B, C = B, D = C, E = D>(
  s1: Stage<A, B>,
  s2: PipelineStep<B, C>,
  s3: PipelineStep<C, D>,
  s4: PipelineStep<D, E>,
): Pipeline<A, E>;
/**
 * Composes 5 stages, typed from stage to stage.
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
 */
export function pipeline<A, B, C = B, D = C, E = D, F = E>(
  s1: Stage<A, B>,
  s2: PipelineStep<B, C>,
  s3: PipelineStep<C, D>,
  s4: PipelineStep<D, E>,
  s5: PipelineStep<E, F>,
): Pipeline<A, F>;
/**
 * Composes 6 stages, typed from stage to stage.
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
 * Composes 7 stages, typed from stage to stage.
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
 * Composes 8 stages, typed from stage to stage.
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
 */
export function pipeline(
  ...stages: PipelineStep<unknown, unknown>[]
): Pipeline<unknown, unknown>;
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
 * Composing is synchronous and throws on a bad stage; a run returns a
 * `Future` and rejects, never throws: bad options, an aborted signal and
 * every failure of a stage arrive as a rejection.
 *
 * @param stages The stages: a function first, then functions or recovery
 *   stages.
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
 */
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
    let signal: AbortSignal | undefined;
    try {
      assertOptions(RUN, options);
      signal = options?.signal;
      assertSignal(RUN, signal);
    } catch (error) {
      return Future.reject(error);
    }
    if (signal !== undefined && signal.aborted) {
      return Future.reject(signal.reason);
    }
    return abortable(
      run(steps, input, signal ?? new AbortController().signal, signal),
      signal,
    );
  };
}

// `caller` is the caller's signal, if any: aborted, the wait on a stage's
// `Future` is taken off it (`abortable` rejects).
async function run(
  steps: PipelineStep<unknown, unknown>[],
  input: unknown,
  signal: AbortSignal,
  caller: AbortSignal | undefined,
): Promise<unknown> {
  const waits = caller === undefined ? undefined : new FutureWaits(caller);
  let value = input;
  let failed = false;
  let error: unknown;
  try {
    for (let i = 0; i < steps.length; i++) {
      const step = steps[i]!;
      const recover = typeof step !== "function";
      if (recover !== failed) continue; // skip: a stage after a failure, or a recovery while all is well
      if (signal.aborted) throw signal.reason;
      try {
        const next = recover
          ? step.onError(error, signal)
          : step(value, signal);
        value = isThenable(next)
          ? await (waits !== undefined && next instanceof Future
            ? waits.of(next)
            : next)
          : next;
        failed = false;
        error = undefined;
      } catch (e) {
        failed = true;
        error = e;
      }
    }
  } finally {
    waits?.dispose();
  }
  if (failed) throw error;
  return value;
}

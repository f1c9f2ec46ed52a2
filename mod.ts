/**
 * pledge: futures, combinators, cancellation, executors, an event-loop
 * simulator that doubles as a virtual clock, and resilience policies, in one
 * dependency-free module. Every time-based API takes a `clock`, every async
 * API takes a `signal`.
 *
 * @example A future driven by a virtual clock
 * ```ts
 * import { Completer, VirtualClock } from "@pledge/core";
 * import assert from "node:assert/strict";
 *
 * const clock = new VirtualClock();
 * const c = new Completer<string>();
 * clock.setTimeout(() => c.resolve("tick"), 1000);
 * assert.equal(await clock.runUntilSettled(c.future), "tick");
 * assert.equal(clock.now(), 1000);
 * ```
 *
 * @module
 */

// core
export type { Clock, TimerHandle } from "./src/core/clock.ts";
export { systemClock } from "./src/core/clock.ts";
export type { Executor } from "./src/core/executor.ts";
export { inlineExecutor, microtaskExecutor } from "./src/core/executor.ts";
export {
  DeadlockError,
  InvalidStateError,
  LoopLimitError,
} from "./src/core/errors.ts";

// future
export type { FutureState, FutureWaitOptions } from "./src/future/future.ts";
export { Future } from "./src/future/future.ts";
export { Completer } from "./src/future/completer.ts";

// cancel
export { CancellationToken } from "./src/cancel/cancellation_token.ts";
export type { CancellationTokenSourceOptions } from "./src/cancel/cancellation_token_source.ts";
export { CancellationTokenSource } from "./src/cancel/cancellation_token_source.ts";
export type {
  DisposableSignal,
  TimeoutSignalOptions,
} from "./src/cancel/signals.ts";
export {
  abortable,
  anySignal,
  isAbortError,
  onAbort,
  timeoutSignal,
} from "./src/cancel/signals.ts";
export type { DelayOptions } from "./src/cancel/delay.ts";
export { delay } from "./src/cancel/delay.ts";

// combinators
export type {
  AllValues,
  CombinatorInput,
  CombinatorOptions,
  Resolved,
  SettledValues,
  Task,
} from "./src/combinators/all.ts";
export { all, allSettled } from "./src/combinators/all.ts";
export type { Winner, WinnerOf } from "./src/combinators/race_any.ts";
export {
  any,
  anyWithWinner,
  race,
  raceWithWinner,
} from "./src/combinators/race_any.ts";
export type {
  MapConcurrentOptions,
  MapItems,
  Mapper,
} from "./src/combinators/map_concurrent.ts";
export { mapConcurrent } from "./src/combinators/map_concurrent.ts";
export type {
  MapConcurrentIterableOptions,
  MapConcurrentIterator,
} from "./src/combinators/map_concurrent_iterable.ts";
export { mapConcurrentIterable } from "./src/combinators/map_concurrent_iterable.ts";
export type { SequenceOptions } from "./src/combinators/sequence.ts";
export { sequence } from "./src/combinators/sequence.ts";
export type {
  MapReduceOptions,
  ReduceOptions,
  Reducer,
} from "./src/combinators/reduce.ts";
export { mapReduce, reduce } from "./src/combinators/reduce.ts";
export type {
  Pipeline,
  PipelineOptions,
  PipelineStep,
  RecoverStage,
  Stage,
} from "./src/combinators/pipeline.ts";
export { pipeline } from "./src/combinators/pipeline.ts";
export type { TimeoutOptions, TimeoutWork } from "./src/combinators/timeout.ts";
export { timeout } from "./src/combinators/timeout.ts";
export type { Debounced, DebounceOptions } from "./src/combinators/debounce.ts";
export { debounce } from "./src/combinators/debounce.ts";
export type { Throttled, ThrottleOptions } from "./src/combinators/throttle.ts";
export { throttle } from "./src/combinators/throttle.ts";

// executors
export { QueueFullError } from "./src/core/errors.ts";
export type {
  PooledExecutorOptions,
  PooledSubmitOptions,
  PooledWaitOptions,
} from "./src/executors/pooled_executor.ts";
export type { TaskContext } from "./src/executors/task_context.ts";
export { PooledExecutor } from "./src/executors/pooled_executor.ts";
export type {
  DelayedExecutorOptions,
  RepeatMode,
  ScheduledTask,
  ScheduleOptions,
  ScheduleRepeatingOptions,
} from "./src/executors/delayed_executor.ts";
export { DelayedExecutor } from "./src/executors/delayed_executor.ts";
export type { SubmitOptions } from "./src/executors/submit.ts";
export { submit } from "./src/executors/submit.ts";

// loop
export type { VirtualClockOptions } from "./src/loop/virtual_clock.ts";
export { VirtualClock } from "./src/loop/virtual_clock.ts";
export type {
  EventLoopOptions,
  PostTaskOptions,
  PostTaskPriority,
} from "./src/loop/event_loop_host.ts";
export { EventLoopHost } from "./src/loop/event_loop_host.ts";
export { EventLoop } from "./src/loop/event_loop.ts";
export type {
  LoopPhase,
  Profile,
  ProfileApis,
  ProfileName,
  TaskSource,
} from "./src/loop/profiles.ts";
export { profiles } from "./src/loop/profiles.ts";
export type {
  AsyncBody,
  MicrotaskQueue,
  SimulatedPromiseState,
} from "./src/loop/simulated_async.ts";
export { simulateAsync, SimulatedPromise } from "./src/loop/simulated_async.ts";
export type { TraceEvent, TraceEventRef, TraceLane } from "./src/loop/trace.ts";
export { Trace } from "./src/loop/trace.ts";
export { renderMermaid } from "./src/loop/render_mermaid.ts";
export { renderSvg } from "./src/loop/render_svg.ts";
export type {
  PriorityPostOptions,
  PrioritySchedulerOptions,
} from "./src/loop/priority_scheduler.ts";
export type {
  PriorityTaskContext,
  PriorityTaskFunction,
  PriorityTaskHandle,
  PriorityTaskState,
  TaskPriority,
} from "./src/loop/priority_task.ts";
export { PriorityScheduler } from "./src/loop/priority_scheduler.ts";

// resilience
export type {
  Policy,
  PolicyContext,
  PolicyExecuteOptions,
  WrappedPolicy,
} from "./src/resilience/policy.ts";
export { wrap } from "./src/resilience/policy.ts";
export { RetryError } from "./src/core/errors.ts";
export type {
  AttemptOutcome,
  Err,
  MatchHandlers,
  Ok,
  ResultFunctions,
} from "./src/resilience/result.ts";
export { Result } from "./src/resilience/result.ts";
export type {
  ClassifierOptions,
  ClassifierRule,
  ErrorClass,
  RetryAfterOptions,
  RetryAfterSource,
} from "./src/resilience/classify.ts";
export {
  Classifier,
  classify,
  classifyStatus,
  defaultClassifier,
  retryAfterMs,
} from "./src/resilience/classify.ts";
export type { RandomSource } from "./src/resilience/random.ts";
export { seededRandom } from "./src/resilience/random.ts";
export type {
  Backoff,
  ExponentialBackoffOptions,
  Jitter,
  LinearBackoffOptions,
} from "./src/resilience/backoff.ts";
export { constant, exponential, linear } from "./src/resilience/backoff.ts";
export type { RetryBudgetOptions } from "./src/resilience/retry_budget.ts";
export { RetryBudget } from "./src/resilience/retry_budget.ts";
export type {
  RetryDelayContext,
  RetryEvent,
  RetryOptions,
  RetryPolicyOptions,
} from "./src/resilience/retry.ts";
export { retry, retryPolicy } from "./src/resilience/retry.ts";
export type {
  TimeoutMode,
  TimeoutPolicyOptions,
} from "./src/resilience/timeout_policy.ts";
export { timeoutPolicy } from "./src/resilience/timeout_policy.ts";
export type {
  FallbackFunction,
  FallbackPolicyOptions,
} from "./src/resilience/fallback.ts";
export { fallbackPolicy } from "./src/resilience/fallback.ts";
export {
  BulkheadRejectedError,
  CircuitOpenError,
  RateLimitedError,
} from "./src/core/errors.ts";
export type {
  BreakerStrategy,
  BreakerStrategySnapshot,
  BreakerWindow,
  ConsecutiveFailuresOptions,
} from "./src/resilience/breaker_strategy.ts";
export { ConsecutiveFailuresStrategy } from "./src/resilience/breaker_strategy.ts";
export type { CountWindowOptions } from "./src/resilience/count_window_strategy.ts";
export { CountWindowStrategy } from "./src/resilience/count_window_strategy.ts";
export type { TimeWindowOptions } from "./src/resilience/time_window_strategy.ts";
export { TimeWindowStrategy } from "./src/resilience/time_window_strategy.ts";
export type {
  BreakDurationContext,
  CircuitBreakerOptions,
  CircuitBreakerSnapshot,
  CircuitBreakerStats,
  CircuitFailureEvent,
  CircuitState,
  CircuitStateChange,
  CircuitSuccessEvent,
} from "./src/resilience/circuit_breaker_options.ts";
export { CircuitBreaker } from "./src/resilience/circuit_breaker.ts";
export type { BulkheadOptions } from "./src/resilience/bulkhead.ts";
export { Bulkhead } from "./src/resilience/bulkhead.ts";
export type {
  RateLimiterAcquireOptions,
  RateLimiterOptions,
} from "./src/resilience/rate_limiter.ts";
export { RateLimiter } from "./src/resilience/rate_limiter.ts";
export type { HedgeOptions } from "./src/resilience/hedge.ts";
export { hedgePolicy } from "./src/resilience/hedge.ts";

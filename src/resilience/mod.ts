/**
 * Resilience: `Result`, error classification, `retry` with backoff and
 * jitter, `CircuitBreaker`, `Bulkhead`, `RateLimiter`, timeout, fallback and
 * hedging policies, composed with `wrap`.
 *
 * @example Retrying a flaky call
 * ```ts
 * import { retry } from "@pledge/core/resilience";
 * import { VirtualClock } from "@pledge/core/loop";
 * import assert from "node:assert/strict";
 *
 * const clock = new VirtualClock();
 * let calls = 0;
 * const result = retry(() => {
 *   if (++calls < 3) throw new Error("flaky");
 *   return "ok";
 * }, { maxAttempts: 3, backoff: 100, clock });
 * assert.equal(await clock.runUntilSettled(result), "ok");
 * assert.equal(calls, 3);
 * ```
 *
 * @module
 */

export type {
  Policy,
  PolicyContext,
  PolicyExecuteOptions,
  WrappedPolicy,
} from "./policy.ts";
export { wrap } from "./policy.ts";
export {
  BulkheadRejectedError,
  CircuitOpenError,
  QueueFullError,
  RateLimitedError,
  RetryError,
} from "../core/errors.ts";
export type {
  AttemptOutcome,
  Err,
  MatchHandlers,
  Ok,
  ResultFunctions,
} from "./result.ts";
export { Result } from "./result.ts";
export type {
  ClassifierOptions,
  ClassifierRule,
  ErrorClass,
  ErrorFilter,
} from "./classify.ts";
export {
  Classifier,
  classify,
  classifyStatus,
  defaultClassifier,
} from "./classify.ts";
export type { RetryAfterOptions, RetryAfterSource } from "./retry_after.ts";
export { retryAfterMs } from "./retry_after.ts";
export type { RandomSource } from "./random.ts";
export { seededRandom } from "./random.ts";
export type {
  Backoff,
  ExponentialBackoffOptions,
  Jitter,
  LinearBackoffOptions,
} from "./backoff.ts";
export { constant, exponential, linear } from "./backoff.ts";
export type {
  RetryBudgetOptions,
  RetryBudgetWithdrawOptions,
} from "./retry_budget.ts";
export { RetryBudget } from "./retry_budget.ts";
export type { RetryEvent, RetryOptions, RetryPolicyOptions } from "./retry.ts";
export { retry, retryPolicy } from "./retry.ts";
export type { TimeoutMode, TimeoutPolicyOptions } from "./timeout_policy.ts";
export { timeoutPolicy } from "./timeout_policy.ts";
export type { FallbackFunction, FallbackPolicyOptions } from "./fallback.ts";
export { fallbackPolicy } from "./fallback.ts";
export type {
  BreakerStrategy,
  BreakerStrategySnapshot,
  BreakerWindow,
} from "./breaker/breaker_strategy.ts";
export type { ConsecutiveFailuresOptions } from "./breaker/consecutive_failures_strategy.ts";
export { ConsecutiveFailuresStrategy } from "./breaker/consecutive_failures_strategy.ts";
export type { CountWindowOptions } from "./breaker/count_window_strategy.ts";
export { CountWindowStrategy } from "./breaker/count_window_strategy.ts";
export type { TimeWindowOptions } from "./breaker/time_window_strategy.ts";
export { TimeWindowStrategy } from "./breaker/time_window_strategy.ts";
export type {
  CircuitBreakerOptions,
  CircuitBreakerSnapshot,
  CircuitBreakerStats,
  CircuitFailureEvent,
  CircuitState,
  CircuitStateChange,
  CircuitSuccessEvent,
} from "./breaker/circuit_breaker_options.ts";
export { CircuitBreaker } from "./breaker/circuit_breaker.ts";
export type { BulkheadOptions } from "./bulkhead.ts";
export { Bulkhead } from "./bulkhead.ts";
export type {
  Rate,
  RateLimiterAcquireOptions,
  RateLimiterOptions,
} from "./rate_limiter.ts";
export { RateLimiter } from "./rate_limiter.ts";
export type { HedgeOptions } from "./hedge.ts";
export { hedgePolicy } from "./hedge.ts";
export type {
  BudgetReply,
  BudgetRequest,
  CircuitBreakerStore,
  CircuitCommand,
  CircuitView,
  FleetStore,
  RateLimiterStore,
  RetryBudgetStore,
  SharedStateOptions,
  StoreErrorEvent,
  StoreFailureMode,
  TokenGrant,
  TokenRequest,
} from "./stores/store_contracts.ts";
export type { MemoryStoreOptions } from "./stores/memory_store.ts";
export { MemoryStore } from "./stores/memory_store.ts";
export type {
  IoRedisClient,
  NodeRedisClient,
  RedisStoreOptions,
} from "./stores/redis_store.ts";
export { RedisStore } from "./stores/redis_store.ts";
export type {
  DenoKv,
  DenoKvStoreOptions,
  KvAtomic,
  KvKey,
  KvKeyPart,
} from "./stores/deno_kv_store.ts";
export { DenoKvStore } from "./stores/deno_kv_store.ts";

/**
 * The bad-argument table of `@pledge/core/executors`.
 *
 * @module
 */

import {
  DelayedExecutor,
  PooledExecutor,
  type PooledExecutorOptions,
  submit,
} from "../../mod.ts";
import type { Ctx } from "./_misuse.ts";
import {
  bad,
  booleans,
  clocks,
  functions,
  numbers,
  options,
  signals,
  type Table,
} from "./_misuse.ts";

const noop = () => {};
const pool = (ctx: Ctx, more: Partial<PooledExecutorOptions> = {}) =>
  new PooledExecutor({ concurrency: 2, clock: ctx.clock, ...more });
const delayed = (ctx: Ctx) => new DelayedExecutor({ clock: ctx.clock });

/** The table of the executors area. */
export const EXECUTORS: Table = {
  "new QueueFullError": {
    none: "an error class: its fields are what pledge measured",
  },

  "new PooledExecutor": {
    throws: [
      ...options("new PooledExecutor($)", (_, o) => new PooledExecutor(o), {
        required: true,
      }),
      ...numbers(
        "new PooledExecutor({ concurrency: $ })",
        (ctx, concurrency) => pool(ctx, { concurrency }),
        "concurrency",
        "count|Infinity",
      ),
      ...numbers(
        "new PooledExecutor({ maxQueue: $ })",
        (ctx, maxQueue) => pool(ctx, { maxQueue }),
        "maxQueue",
        "count0|Infinity",
      ),
      ...clocks(
        "new PooledExecutor({ clock: $ })",
        (_, clock) => new PooledExecutor({ concurrency: 1, clock }),
      ),
    ],
  },
  "PooledExecutor#concurrency=": {
    throws: numbers(
      "pool.concurrency = $",
      (ctx, n) => (pool(ctx).concurrency = n),
      "concurrency",
      "count|Infinity",
    ),
  },
  "PooledExecutor#submit": {
    rejects: [
      ...functions(
        "pool.submit($)",
        (ctx, fn) =>
          pool(ctx).submit(fn, { signal: ctx.signal, timeoutMs: 10 }),
        "fn",
      ),
      ...options("pool.submit(fn, $)", (ctx, o) => pool(ctx).submit(noop, o)),
      ...numbers(
        "pool.submit(fn, { timeoutMs: $ })",
        (ctx, timeoutMs) =>
          pool(ctx).submit(noop, { timeoutMs, signal: ctx.signal }),
        "timeoutMs",
        "duration",
      ),
      ...numbers(
        "pool.submit(fn, { weight: $ })",
        (ctx, weight) =>
          pool(ctx).submit(noop, { weight, timeoutMs: 10, signal: ctx.signal }),
        "weight",
        "count",
      ),
      bad(
        "pool.submit(fn, { weight: $ })",
        (ctx, weight) => pool(ctx).submit(noop, { weight, timeoutMs: 10 }),
        RangeError,
        "weight",
        3,
        { constraint: "an integer <= concurrency (2)" },
      ),
      ...[NaN, Infinity].map((priority) =>
        bad(
          "pool.submit(fn, { priority: $ })",
          (ctx, p) => pool(ctx).submit(noop, { priority: p, timeoutMs: 10 }),
          RangeError,
          "priority",
          priority,
          { constraint: "finite" },
        )
      ),
      bad(
        "pool.submit(fn, { priority: $ })",
        (ctx, p) => pool(ctx).submit(noop, { priority: p, timeoutMs: 10 }),
        TypeError,
        "priority",
        "high",
        { constraint: "a number" },
      ),
      ...signals(
        "pool.submit(fn, { signal: $ })",
        (ctx, signal) => pool(ctx).submit(noop, { signal, timeoutMs: 10 }),
      ),
    ],
  },
  "PooledExecutor#execute": {
    throws: functions(
      "pool.execute($)",
      (ctx, fn) => pool(ctx).execute(fn),
      "task",
    ),
  },
  "PooledExecutor#pause": { none: "takes no arguments" },
  "PooledExecutor#resume": { none: "takes no arguments" },
  "PooledExecutor#clear": { none: "any reason" },
  "PooledExecutor#onEmpty": {
    rejects: [
      ...options("pool.onEmpty($)", (ctx, o) => pool(ctx).onEmpty(o)),
      ...signals(
        "pool.onEmpty({ signal: $ })",
        (ctx, signal) => pool(ctx).onEmpty({ signal }),
      ),
    ],
  },
  "PooledExecutor#onIdle": {
    rejects: [
      ...options("pool.onIdle($)", (ctx, o) => pool(ctx).onIdle(o)),
      ...signals(
        "pool.onIdle({ signal: $ })",
        (ctx, signal) => pool(ctx).onIdle({ signal }),
      ),
    ],
  },

  "new DelayedExecutor": {
    throws: [
      ...options("new DelayedExecutor($)", (_, o) => new DelayedExecutor(o)),
      ...clocks(
        "new DelayedExecutor({ clock: $ })",
        (_, clock) => new DelayedExecutor({ clock }),
      ),
    ],
  },
  "DelayedExecutor#schedule": {
    throws: [
      ...functions(
        "delayed.schedule($, 10)",
        (ctx, fn) => delayed(ctx).schedule(fn, 10, { signal: ctx.signal }),
        "fn",
      ),
      ...numbers(
        "delayed.schedule(fn, $)",
        (ctx, ms) => delayed(ctx).schedule(noop, ms, { signal: ctx.signal }),
        "delayMs",
        "duration",
      ),
      ...options(
        "delayed.schedule(fn, 10, $)",
        (ctx, o) => delayed(ctx).schedule(noop, 10, o),
      ),
      ...signals(
        "delayed.schedule(fn, 10, { signal: $ })",
        (ctx, signal) => delayed(ctx).schedule(noop, 10, { signal }),
      ),
    ],
  },
  "DelayedExecutor#scheduleAt": {
    throws: [
      ...functions(
        "delayed.scheduleAt($, 10)",
        (ctx, fn) => delayed(ctx).scheduleAt(fn, 10, { signal: ctx.signal }),
        "fn",
      ),
      ...numbers(
        "delayed.scheduleAt(fn, $)",
        (ctx, time) =>
          delayed(ctx).scheduleAt(noop, time, { signal: ctx.signal }),
        "time",
        "finite",
      ),
      ...options(
        "delayed.scheduleAt(fn, 10, $)",
        (ctx, o) => delayed(ctx).scheduleAt(noop, 10, o),
      ),
      ...signals(
        "delayed.scheduleAt(fn, 10, { signal: $ })",
        (ctx, signal) => delayed(ctx).scheduleAt(noop, 10, { signal }),
      ),
    ],
  },
  "DelayedExecutor#scheduleRepeating": {
    throws: [
      ...functions(
        "delayed.scheduleRepeating($, { periodMs: 10 })",
        (ctx, fn) =>
          delayed(ctx).scheduleRepeating(fn, {
            periodMs: 10,
            signal: ctx.signal,
          }),
        "fn",
      ),
      ...options(
        "delayed.scheduleRepeating(fn, $)",
        (ctx, o) => delayed(ctx).scheduleRepeating(noop, o),
        { required: true },
      ),
      ...numbers(
        "delayed.scheduleRepeating(fn, { periodMs: $ })",
        (ctx, periodMs) =>
          delayed(ctx).scheduleRepeating(noop, {
            periodMs,
            signal: ctx.signal,
          }),
        "periodMs",
        "positive",
      ),
      ...numbers(
        "delayed.scheduleRepeating(fn, { initialDelayMs: $ })",
        (ctx, initialDelayMs) =>
          delayed(ctx).scheduleRepeating(noop, {
            periodMs: 10,
            initialDelayMs,
            signal: ctx.signal,
          }),
        "initialDelayMs",
        "duration",
      ),
      bad(
        "delayed.scheduleRepeating(fn, { mode: $ })",
        (ctx, mode) =>
          delayed(ctx).scheduleRepeating(noop, { periodMs: 10, mode }),
        TypeError,
        "mode",
        "fixed",
        { constraint: `"fixed-rate" or "fixed-delay"` },
      ),
      ...functions(
        "delayed.scheduleRepeating(fn, { onError: $ })",
        (ctx, onError) =>
          delayed(ctx).scheduleRepeating(noop, { periodMs: 10, onError }),
        "onError",
        [null, "log"],
      ),
      ...booleans(
        "delayed.scheduleRepeating(fn, { stopOnError: $ })",
        (ctx, stopOnError) =>
          delayed(ctx).scheduleRepeating(noop, { periodMs: 10, stopOnError }),
        "stopOnError",
      ),
      ...signals(
        "delayed.scheduleRepeating(fn, { signal: $ })",
        (ctx, signal) =>
          delayed(ctx).scheduleRepeating(noop, { periodMs: 10, signal }),
      ),
    ],
  },
  "DelayedExecutor#execute": {
    throws: functions(
      "delayed.execute($)",
      (ctx, fn) => delayed(ctx).execute(fn),
      "task",
    ),
  },
  "ScheduledTask#cancel": { none: "any reason" },

  "submit": {
    rejects: [
      ...[undefined, {}, 5].map((executor) =>
        bad(
          "submit($, fn)",
          (_, e) => submit(e, noop),
          TypeError,
          "executor.execute",
          executor,
          { constraint: "a function", shown: "undefined" },
        )
      ),
      ...functions(
        "submit(executor, $)",
        (ctx, fn) => submit(pool(ctx), fn, { signal: ctx.signal }),
        "fn",
      ),
      ...options(
        "submit(executor, fn, $)",
        (ctx, o) => submit(pool(ctx), noop, o),
      ),
      ...signals(
        "submit(executor, fn, { signal: $ })",
        (ctx, signal) => submit(pool(ctx), noop, { signal }),
      ),
    ],
  },
};

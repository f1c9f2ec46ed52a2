/**
 * The bad-argument table of `@pledge/core/workers`. No row starts a worker:
 * a pool starts its workers on its first accepted task.
 *
 * @module
 */

import {
  Transferred,
  transferResult,
  WorkerPool,
  type WorkerPoolOptions,
} from "../../mod.ts";
import {
  bad,
  type Case,
  clocks,
  type Ctx,
  numbers,
  options,
  signals,
  type Table,
} from "./_misuse.ts";

const MODULE = new URL("../fixtures/worker_tasks.ts", import.meta.url);
const pool = (ctx: Ctx, more: Partial<WorkerPoolOptions> = {}) =>
  new WorkerPool({ module: MODULE, size: 2, clock: ctx.clock, ...more });
const ABORT = `"signal" or "terminate"`;

/** `transfer` that is not an array. */
function transfers(template: string, call: (t: unknown) => unknown): Case[] {
  return [undefined, "buffer", {}].map((transfer) =>
    bad(template, (_, t) => call(t), TypeError, "transfer", transfer, {
      constraint: "an array",
    })
  );
}

/** The table of the workers area. */
export const WORKERS: Table = {
  "new WorkerCrashedError": {
    none: "an error class: fields measured by pledge",
  },
  "new WorkerLoadError": { none: "an error class: fields measured by pledge" },
  "new Transferred": {
    throws: transfers(
      "new Transferred(value, $)",
      (t) => new Transferred(1, t as never),
    ),
  },
  "transferResult": {
    throws: transfers(
      "transferResult(value, $)",
      (t) => transferResult(1, t as never),
    ),
  },

  "new WorkerPool": {
    throws: [
      ...options("new WorkerPool($)", (_, o) => new WorkerPool(o), {
        required: true,
      }),
      ...[undefined, 5].map((module) =>
        bad(
          "new WorkerPool({ module: $ })",
          (ctx, m) => new WorkerPool({ module: m, clock: ctx.clock }),
          TypeError,
          "module",
          module,
          { constraint: "a URL or a string" },
        )
      ),
      bad(
        "new WorkerPool({ module: $ })",
        (ctx, m) => new WorkerPool({ module: m, clock: ctx.clock }),
        TypeError,
        "module",
        "./tasks.ts",
        { constraint: "an absolute URL or file path" },
      ),
      ...numbers(
        "new WorkerPool({ size: $ })",
        (ctx, size) => pool(ctx, { size }),
        "size",
        "count",
      ),
      ...numbers(
        "new WorkerPool({ minSize: $ })",
        (ctx, minSize) => pool(ctx, { minSize }),
        "minSize",
        "count0",
      ),
      bad(
        "new WorkerPool({ size: 2, minSize: $ })",
        (ctx, minSize) => pool(ctx, { minSize }),
        RangeError,
        "minSize",
        3,
        { constraint: "an integer <= size (2)" },
      ),
      ...numbers(
        "new WorkerPool({ idleTimeoutMs: $ })",
        (ctx, idleTimeoutMs) => pool(ctx, { idleTimeoutMs }),
        "idleTimeoutMs",
        "duration",
      ),
      ...numbers(
        "new WorkerPool({ maxQueue: $ })",
        (ctx, maxQueue) => pool(ctx, { maxQueue }),
        "maxQueue",
        "count0|Infinity",
      ),
      bad(
        "new WorkerPool({ abort: $ })",
        (ctx, abort) => pool(ctx, { abort }),
        TypeError,
        "abort",
        "kill",
        { constraint: ABORT },
      ),
      ...clocks(
        "new WorkerPool({ clock: $ })",
        (_, clock) => new WorkerPool({ module: MODULE, clock }),
      ),
    ],
  },
  "WorkerPool#run": {
    rejects: [
      ...[undefined, 5].map((name) =>
        bad(
          "pool.run($, arg)",
          (ctx, n) => pool(ctx).run(n as never, 1 as never),
          TypeError,
          "name",
          name,
          { constraint: "a string" },
        )
      ),
      ...options(
        "pool.run(name, arg, $)",
        (ctx, o) => pool(ctx).run("add1" as never, 1 as never, o as never),
      ),
      ...numbers(
        "pool.run(name, arg, { timeoutMs: $ })",
        (ctx, timeoutMs) =>
          pool(ctx).run(
            "add1" as never,
            1 as never,
            { timeoutMs, signal: ctx.signal } as never,
          ),
        "timeoutMs",
        "duration",
      ),
      ...[NaN, Infinity].map((priority) =>
        bad(
          "pool.run(name, arg, { priority: $ })",
          (ctx, p) =>
            pool(ctx).run(
              "add1" as never,
              1 as never,
              { priority: p } as never,
            ),
          RangeError,
          "priority",
          priority,
          { constraint: "finite" },
        )
      ),
      ...["buffer", {}].map((transfer) =>
        bad(
          "pool.run(name, arg, { transfer: $ })",
          (ctx, t) =>
            pool(ctx).run(
              "add1" as never,
              1 as never,
              { transfer: t } as never,
            ),
          TypeError,
          "transfer",
          transfer,
          { constraint: "an array" },
        )
      ),
      bad(
        "pool.run(name, arg, { abort: $ })",
        (ctx, abort) =>
          pool(ctx).run("add1" as never, 1 as never, { abort } as never),
        TypeError,
        "abort",
        "kill",
        { constraint: ABORT },
      ),
      ...signals(
        "pool.run(name, arg, { signal: $ })",
        (ctx, signal) =>
          pool(ctx).run("add1" as never, 1 as never, { signal } as never),
      ),
    ],
  },
  "WorkerPool#resize": {
    throws: numbers(
      "pool.resize($)",
      (ctx, size) => pool(ctx).resize(size),
      "size",
      "count",
    ),
  },
  "WorkerPool#pause": { none: "takes no arguments" },
  "WorkerPool#resume": { none: "takes no arguments" },
  "WorkerPool#onIdle": {
    rejects: [
      ...options("pool.onIdle($)", (ctx, o) => pool(ctx).onIdle(o)),
      ...signals(
        "pool.onIdle({ signal: $ })",
        (ctx, signal) => pool(ctx).onIdle({ signal }),
      ),
    ],
  },
  "WorkerPool#close": { none: "takes no arguments" },
  "WorkerPool#terminate": { none: "any reason" },
};

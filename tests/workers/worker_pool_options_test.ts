// The typing of WorkerPool.run from the task module's type. `deno test`
// type-checks this file: each `@ts-expect-error` line must be an error, or
// the check fails ("Unused '@ts-expect-error' directive"), so types that
// silently widened to `any` or `unknown` fail too. The calls are never made.
import assert from "node:assert/strict";
import type {
  AnyTasks,
  Future,
  RunArguments,
  TaskName,
  TaskResult,
  WorkerPool,
} from "../../mod.ts";
import type * as tasks from "../fixtures/worker_tasks.ts";

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends
  (<T>() => T extends B ? 1 : 2) ? true : false;
const yes = <T extends true>(): T => true as T;

function typed(pool: WorkerPool<typeof tasks>): Future<unknown>[] {
  const sum: Future<number> = pool.run("add1", 1);
  const pong: Future<string> = pool.run("ping");
  const bytes: Future<Uint8Array> = pool.run("fill", 4);
  const counted: Future<number> = pool.run("countPrimes", [0, 10], {
    priority: 1,
    timeoutMs: 100,
  });
  const waited: Future<never> = pool.run("waitForAbort", null, {
    signal: AbortSignal.abort(),
  });
  return [
    sum,
    pong,
    bytes,
    counted,
    waited,
    // @ts-expect-error a task the module does not export
    pool.run("resize", 1),
    // @ts-expect-error an export that is not a function
    pool.run("version", 1),
    // @ts-expect-error the argument's type is checked
    pool.run("add1", "1"),
    // @ts-expect-error a task with a parameter needs its argument
    pool.run("add1"),
    // @ts-expect-error a task without a parameter takes no argument
    pool.run("ping", 1),
    // @ts-expect-error a tuple argument is checked element by element
    pool.run("countPrimes", [0, "10"]),
    // @ts-expect-error options are checked
    pool.run("add1", 1, { priority: "high" }),
    // @ts-expect-error the result type is checked
    pool.run("add1", 1) as Future<string>,
  ];
}

function untyped(pool: WorkerPool): Future<unknown>[] {
  // Without the module's type: any name, any argument, an unknown result.
  const anything: Future<unknown> = pool.run("anything", { x: 1 });
  return [anything, pool.run("no-argument")];
}

Deno.test("WorkerPool.run() is typed from the task module", () => {
  yes<Equal<TaskName<typeof tasks>, Exclude<keyof typeof tasks, "version">>>();
  yes<Equal<TaskResult<typeof tasks.fill>, Uint8Array>>();
  yes<Equal<TaskResult<typeof tasks.waitForAbort>, never>>();
  yes<
    Equal<
      RunArguments<typeof tasks.add1>,
      [arg: number, options?: import("../../mod.ts").WorkerRunOptions]
    >
  >();
  yes<Equal<TaskName<AnyTasks>, string>>();
  assert.equal(typeof typed, "function");
  assert.equal(typeof untyped, "function");
});

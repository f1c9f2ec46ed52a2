import assert from "node:assert/strict";
import { WorkerCrashedError, WorkerLoadError } from "../../mod.ts";

Deno.test("WorkerCrashedError names the crash or the exit code", () => {
  const crash = new WorkerCrashedError(undefined, {
    cause: new Error("out of memory"),
  });
  assert.equal(crash.name, "WorkerCrashedError");
  assert.equal(crash.exitCode, undefined);
  assert.equal(
    crash.message,
    "Cannot finish the task as its worker crashed: out of memory",
  );
  assert.equal((crash.cause as Error).message, "out of memory");
  const exit = new WorkerCrashedError(2);
  assert.equal(exit.exitCode, 2);
  assert.equal(
    exit.message,
    "Cannot finish the task as its worker exited with code 2",
  );
  assert.ok(exit instanceof Error);
});

Deno.test("WorkerLoadError names the module and carries the cause", () => {
  const cause = new SyntaxError("Unexpected token");
  const error = new WorkerLoadError("file:///app/tasks.js", { cause });
  assert.equal(error.name, "WorkerLoadError");
  assert.equal(error.module, "file:///app/tasks.js");
  assert.equal(error.cause, cause);
  assert.equal(
    error.message,
    "Cannot run tasks as the worker module failed to load: file:///app/tasks.js (Unexpected token)",
  );
});

// The package smoke test: plain JavaScript, no imports, so the same file runs
// against the installed tarball under Node 20/22/24, Deno and Bun (through
// `import` and `require`, scripts/check_npm.ts) and against npm/esm in
// headless Chromium (scripts/browser_smoke.ts).
//
// `smoke(m)` exercises the module namespace `m` and resolves to the names of
// the parts it ran. A part whose export is missing is not run and is listed
// in `missing`; the callers compare the export names with mod.ts, so a part
// whose export exists must pass.

/** The optional parts, by the export each needs. */
export const PARTS = ["all", "PooledExecutor", "CircuitBreaker"];

function check(ok, what) {
  if (!ok) throw new Error(`smoke: ${what}`);
}

const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);

/**
 * Throws unless the namespace `m` exports exactly the names `expected`.
 * @param {Record<string, unknown>} m
 * @param {string[]} expected
 * @param {string} label
 */
export function checkExports(m, expected, label) {
  const names = Object.keys(m).filter((k) =>
    k !== "default" && k !== "__esModule" && k !== "module.exports"
  );
  const missing = expected.filter((k) => !names.includes(k));
  const extra = names.filter((k) => !expected.includes(k));
  if (missing.length > 0 || extra.length > 0) {
    throw new Error(
      `smoke: ${label} differs from Deno's: missing ${
        missing.join(", ") || "none"
      }; extra ${extra.join(", ") || "none"}`,
    );
  }
}

/**
 * Loads every entry point with `load` (`import` or `require`), checks its
 * export names against `expected` (entry point -> the names Deno sees) and
 * that each name is the very value the root entry exports: one copy of every
 * class, whichever entry point or loader a consumer uses.
 * @param {(subpath: string) => Promise<Record<string, unknown>> | Record<string, unknown>} load
 * @param {Record<string, string[]>} expected
 * @param {string} label
 * @returns {Promise<Record<string, unknown>>} the root entry's namespace
 */
export async function checkEntryPoints(load, expected, label) {
  const root = await load(".");
  for (const [subpath, names] of Object.entries(expected)) {
    const m = subpath === "." ? root : await load(subpath);
    checkExports(m, names, `${label} of '${subpath}'`);
    for (const name of names) {
      if (name in root && root[name] !== m[name]) {
        throw new Error(
          `smoke: ${label} of '${subpath}' gives a second copy of ${name}`,
        );
      }
    }
  }
  return root;
}

/**
 * Throws unless two namespaces of the root entry hold the same values (the
 * same classes and functions, not copies).
 * @param {Record<string, unknown>} a
 * @param {Record<string, unknown>} b
 * @param {string} label
 */
export function checkSameValues(a, b, label) {
  const copies = Object.keys(a).filter((k) =>
    k !== "default" && k !== "module.exports" && k in b && a[k] !== b[k]
  );
  if (copies.length > 0) {
    throw new Error(`smoke: ${label}: two copies of ${copies.join(", ")}`);
  }
}

/**
 * Runs the smoke test against a module namespace.
 * @param {Record<string, any>} m
 * @returns {Promise<{ ran: string[], missing: string[] }>}
 */
export async function smoke(m) {
  const ran = [];
  const missing = [];

  // Future and Completer.
  const c = new m.Completer();
  const doubled = c.future.then((x) => x * 2);
  check(c.future.state === "pending", "a new future is pending");
  check(doubled instanceof m.Future, "then() returns a Future");
  c.resolve(21);
  check((await doubled) === 42, "await a Future");
  check(doubled.state === "fulfilled" && doubled.value === 42, "state/value");
  let threw;
  try {
    c.resolve(1);
  } catch (e) {
    threw = e;
  }
  check(
    threw instanceof m.InvalidStateError &&
      threw.name === "InvalidStateError",
    "resolving twice throws InvalidStateError",
  );
  ran.push("Future");

  // VirtualClock.
  const clock = new m.VirtualClock();
  const tick = new m.Completer();
  clock.setTimeout(() => tick.resolve("tick"), 1000);
  check((await clock.runUntilSettled(tick.future)) === "tick", "virtual time");
  check(clock.now() === 1000 && clock.pendingTimers === 0, "clock state");
  ran.push("VirtualClock");

  if (typeof m.all === "function") {
    const values = await m.all([m.Future.resolve(1), Promise.resolve(2)]);
    check(same(values, [1, 2]), `all() gave ${JSON.stringify(values)}`);
    ran.push("all");
  } else missing.push("all");

  if (typeof m.PooledExecutor === "function") {
    const pool = new m.PooledExecutor({ concurrency: 2 });
    let running = 0;
    let peak = 0;
    const results = [1, 2, 3, 4, 5].map((n) =>
      pool.submit(async () => {
        running++;
        peak = Math.max(peak, running);
        await Promise.resolve();
        await Promise.resolve();
        running--;
        return n * 10;
      })
    );
    check(results[0] instanceof m.Future, "submit() returns a Future");
    const values = await Promise.all(results);
    check(same(values, [10, 20, 30, 40, 50]), "pooled results in order");
    check(peak === 2, `pool concurrency peak ${peak}, expected 2`);
    if (typeof Symbol.asyncDispose === "symbol") {
      await pool[Symbol.asyncDispose]();
    }
    ran.push("PooledExecutor");
  } else missing.push("PooledExecutor");

  if (typeof m.CircuitBreaker === "function") {
    const clock = new m.VirtualClock();
    // The default cooldown, whatever it is, has passed after a minute.
    const breaker = new m.CircuitBreaker({ clock });
    const down = () => Promise.reject(new Error("down"));
    for (let i = 0; i < 100 && breaker.state !== "open"; i++) {
      await breaker.execute(down).catch(() => {});
    }
    check(breaker.state === "open", "the breaker opens after failures");
    const refused = await breaker.execute(() => "hi").then(
      () => null,
      (e) => e,
    );
    check(refused?.name === "CircuitOpenError", "an open breaker refuses");
    clock.tick(60_000);
    check(breaker.state === "half_open", "half-open after the cooldown");
    check((await breaker.execute(() => "hi")) === "hi", "a probe succeeds");
    check(breaker.state === "closed", "closed after the probe");
    ran.push("CircuitBreaker");
  } else missing.push("CircuitBreaker");

  return { ran, missing };
}

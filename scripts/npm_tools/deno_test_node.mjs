// Runs the unchanged `Deno.test` files under `node --test` after
// scripts/build_npm.ts compiled them: build_npm.ts binds `Deno` from this
// module in each compiled test file (no `Deno` global is set).
//
// `Deno.test` itself is @deno/shim-deno-test, the shim dnt injects: it
// validates Deno's overloads and collects each definition. That package is
// not a runner (dnt generates one); here node:test is, so every collected
// definition is handed to `node:test` at once, with `t.step` mapped onto
// subtests. Deno's sanitizers and permissions have no Node equivalent and
// are ignored.
//
// Also provides, only where the host lacks them (Node): a
// `Promise.withResolvers` polyfill (Node < 22), and `addEventListener` /
// `removeEventListener` on `globalThis` for the web's `error`,
// `unhandledrejection` and `rejectionhandled` events, bridged to Node's
// process events, because tests observe how errors and rejections are
// reported the way Deno and browsers report them. What no listener prevents
// still fails the test, as on Node itself.
import { createRequire } from "node:module";
import nodeTest from "node:test";
import { pathToFileURL } from "node:url";

// A CommonJS package, required so that `deno check scripts/` does not need
// scripts/npm_tools/node_modules.
const shim = createRequire(import.meta.url)("@deno/shim-deno-test");

const origin = pathToFileURL(process.argv[1] ?? "").href;
// Deno has no per-test time limit, but a hung test must fail, not hang the
// run.
const timeout = Number(process.env.PLEDGE_TEST_TIMEOUT_MS ?? 120_000);

function context(nodeCtx, name, parent) {
  const ctx = {
    name,
    origin,
    parent,
    // Like Deno: resolves to whether the step passed and never rejects.
    async step(a, b) {
      const def = typeof a === "string"
        ? { name: a, fn: b }
        : typeof a === "function"
        ? { name: a.name, fn: a }
        : { ...a };
      if (typeof def.fn !== "function" || !def.name) {
        throw new TypeError("t.step: expected a name and a function");
      }
      let ok = !def.ignore;
      await nodeCtx.test(def.name, { skip: !!def.ignore }, async (sub) => {
        try {
          await def.fn(context(sub, def.name, ctx));
        } catch (e) {
          ok = false;
          throw e;
        }
      });
      return ok;
    },
  };
  return ctx;
}

/** Hands what `Deno.test` collected to node:test. */
function run() {
  for (const def of shim.testDefinitions.splice(0)) {
    const options = def.only
      ? { only: true, timeout }
      : { skip: !!def.ignore, timeout };
    nodeTest.test(def.name, options, (t) => def.fn(context(t, def.name)));
  }
}

const collect = (register) => (...args) => {
  register(...args);
  run();
};
export const Deno = {
  test: Object.assign(collect(shim.Deno.test), {
    ignore: collect(shim.Deno.test.ignore),
    only: collect(shim.Deno.test.only),
  }),
};

function bridgeHostEvents() {
  // Web event type -> the Node process event and the event's fields.
  const bridges = {
    unhandledrejection: {
      node: "unhandledRejection",
      fields: (reason, promise) => ({ reason, promise }),
    },
    rejectionhandled: {
      node: "rejectionHandled",
      fields: (promise) => ({ promise }),
    },
    error: {
      node: "uncaughtException",
      fields: (error) => ({ error, message: String(error?.message ?? error) }),
    },
  };
  const listeners = {};
  // While a web listener exists it sees the event first, as in Deno; the
  // host's own listeners (node:test attributes the error to the running test)
  // are set aside and get what no web listener prevented.
  const hostListeners = {};
  const handlers = {};
  for (const [type, bridge] of Object.entries(bridges)) {
    listeners[type] = [];
    handlers[type] = (...args) => {
      let prevented = false;
      const event = {
        type,
        ...bridge.fields(...args),
        get defaultPrevented() {
          return prevented;
        },
        preventDefault() {
          prevented = true;
        },
      };
      if (type === "rejectionhandled") {
        // Node passes only the promise; the web event carries the reason.
        args[0].catch((reason) => dispatch(type, { ...event, reason }));
        return;
      }
      dispatch(type, event);
      if (prevented) return;
      const host = hostListeners[type] ?? [];
      if (host.length === 0) throw args[0];
      for (const l of host) l.apply(process, args);
    };
  }
  function dispatch(type, event) {
    for (const entry of [...listeners[type]]) {
      if (entry.once) removeEventListener(type, entry.listener);
      const l = entry.listener;
      typeof l === "function"
        ? l.call(globalThis, event)
        : l.handleEvent(event);
    }
  }
  function addEventListener(type, listener, options) {
    const list = listeners[type];
    if (list === undefined) {
      throw new TypeError(`deno_test_node: no '${type}' event on Node`);
    }
    if (listener == null || list.some((e) => e.listener === listener)) return;
    if (list.length === 0) {
      const name = bridges[type].node;
      hostListeners[type] = process.listeners(name);
      process.removeAllListeners(name);
      process.on(name, handlers[type]);
    }
    const once = typeof options === "object" && !!options?.once;
    list.push({ listener, once });
  }
  function removeEventListener(type, listener) {
    const list = listeners[type];
    const i = list === undefined
      ? -1
      : list.findIndex((e) => e.listener === listener);
    if (i < 0) return;
    list.splice(i, 1);
    if (list.length === 0) {
      const name = bridges[type].node;
      process.off(name, handlers[type]);
      for (const l of hostListeners[type]) process.on(name, l);
      hostListeners[type] = [];
    }
  }
  globalThis.addEventListener = addEventListener;
  globalThis.removeEventListener = removeEventListener;
}

// Tests written for Deno may use Promise.withResolvers (ES2024), which Node
// has from 22 on. The library cannot use it: build_npm.ts type-checks it
// against lib es2022.
if (typeof Promise.withResolvers !== "function") {
  Promise.withResolvers = function withResolvers() {
    let resolve;
    let reject;
    const promise = new this((res, rej) => {
      resolve = res;
      reject = rej;
    });
    return { promise, resolve, reject };
  };
}

if (
  typeof globalThis.addEventListener !== "function" &&
  typeof process === "object" && typeof process.on === "function"
) {
  bridgeHostEvents();
}

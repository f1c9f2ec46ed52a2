/**
 * The bad-argument table of the shared-state stores (issue 17):
 * `MemoryStore`, `RedisStore` and `DenoKvStore`. Constructors throw; the
 * store methods reject, before anything reaches the backend: the Redis and
 * Deno KV rows run on a stand-in client and database that record every
 * call, and a row whose store sent anything before its refusal gives an
 * error naming what was sent instead of the refusal. Also the rows of the
 * shared-state options every policy takes (`sharedStateOptions`).
 *
 * @module
 */

import {
  DenoKvStore,
  type FleetStore,
  MemoryStore,
  RedisStore,
} from "../../mod.ts";
import {
  bad,
  booleans,
  type Call,
  type Case,
  clocks,
  type Ctx,
  functions,
  type NumberKind,
  numbers,
  options,
  type Table,
} from "./_misuse.ts";

const fn = () => {};
const CLIENT_SHAPES =
  "a node-redis v5 client (evalSha, scriptLoad) or an ioredis client (evalsha, script)";

/** A stand-in node-redis client recording the commands it is sent. */
export function recordingRedis(sent: string[]): {
  scriptLoad(script: string): Promise<string>;
  evalSha(sha: string, o: { keys: string[] }): Promise<unknown>;
} {
  return {
    scriptLoad: () => (sent.push("SCRIPT LOAD"), Promise.resolve("sha")),
    evalSha: (_, { keys }) => (
      sent.push(`EVALSHA ${keys.join(" ")}`), Promise.resolve([1, 0, "0", "0"])
    ),
  };
}

/** A stand-in Deno KV database recording the calls it is made. */
export function recordingKv(sent: string[]): {
  get(key: readonly unknown[]): Promise<never>;
  atomic(): never;
} {
  return {
    get: (key) => {
      sent.push(`get ${JSON.stringify(key)}`);
      return Promise.reject(new Error("the stand-in database holds nothing"));
    },
    atomic: () => {
      sent.push("atomic");
      throw new Error("the stand-in database writes nothing");
    },
  };
}

/**
 * Calls `call` on the store `make` builds over a recording backend; the
 * returned promise rejects with the store's refusal, or with an `Error`
 * naming what reached the backend before it. A synchronous throw and a
 * value that is not a promise go through unchanged, so the table sees them.
 */
export function sentNothing<S>(
  make: (sent: string[]) => S,
  call: (store: S) => unknown,
): unknown {
  const sent: string[] = [];
  const out = call(make(sent));
  if (!(out instanceof Promise)) return out;
  return out.then(undefined, (error) => {
    if (sent.length > 0) {
      throw new Error(`sent ${sent.join(", ")} before refusing (${error})`);
    }
    throw error;
  });
}

/** The stores, each over a recording backend (none for `MemoryStore`). */
const STORES: [string, (ctx: Ctx, sent: string[]) => FleetStore][] = [
  ["MemoryStore", (ctx) => new MemoryStore({ clock: ctx.clock })],
  ["RedisStore", (_, sent) => new RedisStore({ client: recordingRedis(sent) })],
  [
    "DenoKvStore",
    (ctx, sent) => new DenoKvStore({ kv: recordingKv(sent), clock: ctx.clock }),
  ],
];

const TOKENS = { limit: 2, intervalMs: 100, burst: 2, weight: 1, maxWeight: 1 };
const ENTER = { op: "enter", probe: "p1", maxProbes: 1, probeLeaseMs: 100 };
const TRIP = { op: "trip", epoch: 0, cooldownMs: 100 };
const PROBE = {
  op: "probe",
  epoch: 1,
  probe: "p1",
  success: true,
  successThreshold: 1,
};
const BUDGET = {
  maxRetries: 10,
  refill: { limit: 1, intervalMs: 1000 },
  ratio: 0.1,
  deposits: 0,
  withdraw: true,
};
const PROBE_ID = "a non-empty string without spaces or ';'";
const OPS = `"enter", "trip", "probe", "isolate" or "reset"`;

type Method = "takeTokens" | "updateCircuit" | "updateBudget";

/** The rows of one store method given `(key, request)`. */
function methodRows(
  name: string,
  make: (ctx: Ctx, sent: string[]) => FleetStore,
  method: Method,
  argument: string,
  base: object,
): {
  call: (ctx: Ctx, key: unknown, request: unknown) => unknown;
  keys: Case[];
  requests: Case[];
  field: (
    option: string,
    values: object | ((value: unknown) => object),
    kind: NumberKind,
    constraint?: string,
  ) => Case[];
} {
  const call = (ctx: Ctx, key: unknown, request: unknown) =>
    sentNothing(
      (sent) => make(ctx, sent),
      (store) =>
        (store[method] as (k: unknown, r: unknown) => unknown)(key, request),
    );
  const at = (template: string) => `${name}.${method}(${template})`;
  return {
    call,
    keys: [undefined, null, 5, ""].map((key) =>
      bad(
        at("$, request"),
        (ctx, k) => call(ctx, k, base),
        TypeError,
        "key",
        key,
        {
          constraint: "a non-empty string",
        },
      )
    ),
    requests: [undefined, null, 5, "x"].map((request) =>
      bad(
        at(`"k", $`),
        (ctx, r) => call(ctx, "k", r),
        TypeError,
        argument,
        request,
        { constraint: "an object" },
      )
    ),
    field: (option, values, kind, constraint) =>
      numbers(
        at(`"k", { ${option}: $ }`),
        (ctx, v) =>
          call(
            ctx,
            "k",
            typeof values === "function"
              ? values(v)
              : { ...values, [option]: v },
          ),
        `${argument}.${option}`,
        kind,
        constraint,
      ),
  };
}

/** The entries of one store's three methods. */
function storeMethods(
  name: string,
  make: (ctx: Ctx, sent: string[]) => FleetStore,
): Table {
  const take = methodRows(name, make, "takeTokens", "request", TOKENS);
  const circuit = methodRows(name, make, "updateCircuit", "command", ENTER);
  const budget = methodRows(name, make, "updateBudget", "request", BUDGET);
  const at = (method: Method, template: string) =>
    `${name}.${method}("k", ${template})`;
  const probes = (base: object, values: unknown[]) =>
    values.map((probe) =>
      bad(
        at(
          "updateCircuit",
          `{ op: "${(base as { op: string }).op}", probe: $ }`,
        ),
        (ctx, p) => circuit.call(ctx, "k", { ...base, probe: p }),
        TypeError,
        "command.probe",
        probe,
        { constraint: PROBE_ID },
      )
    );
  return {
    [`${name}#takeTokens`]: {
      rejects: [
        ...take.keys,
        ...take.requests,
        ...take.field("limit", TOKENS, "count"),
        ...take.field("intervalMs", TOKENS, "positive"),
        ...take.field("burst", TOKENS, "count"),
        ...take.field("weight", TOKENS, "count"),
        ...take.field("maxWeight", TOKENS, "count"),
        bad(
          at("takeTokens", "{ weight: $ }"),
          (ctx, weight) => take.call(ctx, "k", { ...TOKENS, weight }),
          RangeError,
          "request.weight",
          3,
          { constraint: "an integer <= burst (2)" },
        ),
        bad(
          at("takeTokens", "{ weight: 2, maxWeight: $ }"),
          (ctx, maxWeight) =>
            take.call(ctx, "k", { ...TOKENS, weight: 2, maxWeight }),
          RangeError,
          "request.maxWeight",
          1,
          { constraint: "an integer >= weight (2)" },
        ),
      ],
    },
    [`${name}#updateCircuit`]: {
      rejects: [
        ...circuit.keys,
        ...circuit.requests,
        ...["open", undefined, 5].map((op) =>
          bad(
            at("updateCircuit", "{ op: $ }"),
            (ctx, o) => circuit.call(ctx, "k", { op: o }),
            TypeError,
            "command.op",
            op,
            { constraint: OPS },
          )
        ),
        ...probes(ENTER, [undefined, "", 5, "a b", "a;b"]),
        ...circuit.field("maxProbes", ENTER, "count"),
        ...circuit.field("probeLeaseMs", ENTER, "positive"),
        ...circuit.field("epoch", TRIP, "count0"),
        ...circuit.field("cooldownMs", TRIP, "duration"),
        ...probes(TRIP, ["", 5]),
        ...circuit.field("epoch", PROBE, "count0"),
        ...probes(PROBE, [undefined]),
        ...booleans(
          at("updateCircuit", `{ op: "probe", success: $ }`),
          (ctx, success) => circuit.call(ctx, "k", { ...PROBE, success }),
          "command.success",
        ),
        ...circuit.field("successThreshold", PROBE, "count"),
      ],
    },
    [`${name}#updateBudget`]: {
      rejects: [
        ...budget.keys,
        ...budget.requests,
        ...budget.field("maxRetries", BUDGET, "count0"),
        ...[null, 5].map((refill) =>
          bad(
            at("updateBudget", "{ refill: $ }"),
            (ctx, r) => budget.call(ctx, "k", { ...BUDGET, refill: r }),
            TypeError,
            "request.refill",
            refill,
            { constraint: "a rate { limit, intervalMs }" },
          )
        ),
        ...budget.field(
          "refill.limit",
          (limit) => ({ ...BUDGET, refill: { limit, intervalMs: 1000 } }),
          "duration",
        ),
        ...budget.field(
          "refill.intervalMs",
          (intervalMs) => ({ ...BUDGET, refill: { limit: 1, intervalMs } }),
          "positive",
        ),
        ...budget.field("ratio", BUDGET, "duration"),
        ...budget.field("deposits", BUDGET, "count0"),
        ...booleans(
          at("updateBudget", "{ withdraw: $ }"),
          (ctx, withdraw) => budget.call(ctx, "k", { ...BUDGET, withdraw }),
          "request.withdraw",
        ),
      ],
    },
  };
}

/**
 * The rows of the shared-state options of a policy's constructor, and of
 * the numbers it takes beside them (`numbers`: option to kind): `make`
 * builds the policy with `options` (a clock included), on a `MemoryStore`
 * unless the row says otherwise.
 */
export function sharedStateOptions(
  name: string,
  method: Method,
  make: (ctx: Ctx, options: Record<string, unknown>) => unknown,
  numbered: Record<string, NumberKind> = {},
): Case[] {
  const at = (option: string) => `new ${name}({ store, ${option}: $ })`;
  const shared = (option: string): Call => (ctx, value) =>
    make(ctx, {
      store: new MemoryStore({ clock: ctx.clock }),
      key: "k",
      [option]: value,
    });
  // The failure handling is checked without a store too.
  const alone = (option: string): Call => (ctx, value) =>
    make(ctx, { [option]: value });
  const without = (option: string) => `new ${name}({ ${option}: $ })`;
  return [
    ...["fallback", null].map((mode) =>
      bad(
        without("storeFailure"),
        alone("storeFailure"),
        TypeError,
        "storeFailure",
        mode,
        { constraint: `"allow", "deny" or "local"` },
      )
    ),
    ...functions(
      without("onStoreError"),
      alone("onStoreError"),
      "onStoreError",
      ["log"],
    ),
    ...numbers(
      without("storeTimeoutMs"),
      alone("storeTimeoutMs"),
      "storeTimeoutMs",
      "positive",
    ),
    ...[null, 5, {}].map((store) =>
      bad(
        `new ${name}({ key, store: $ })`,
        shared("store"),
        TypeError,
        "store",
        store,
        {
          constraint: `a store with a ${method} method`,
        },
      )
    ),
    bad(
      `new ${name}({ key: "k", store: $ })`,
      (ctx, store) => make(ctx, { key: "k", store }),
      TypeError,
      "store",
      undefined,
      { constraint: "a store when 'key' is given" },
    ),
    ...[undefined, null, 5, ""].map((key) =>
      bad(at("key"), shared("key"), TypeError, "key", key, {
        constraint: "a non-empty string",
      })
    ),
    ...["fallback", null, 5].map((mode) =>
      bad(
        at("storeFailure"),
        shared("storeFailure"),
        TypeError,
        "storeFailure",
        mode,
        {
          constraint: `"allow", "deny" or "local"`,
        },
      )
    ),
    ...functions(at("onStoreError"), shared("onStoreError"), "onStoreError", [
      null,
      "log",
    ]),
    ...Object.entries({ storeTimeoutMs: "positive", ...numbered }).flatMap((
      [option, kind],
    ) => numbers(at(option), shared(option), option, kind as NumberKind)),
  ];
}

/** The table of the stores. */
export const STORES_TABLE: Table = {
  "new MemoryStore": {
    throws: [
      ...options("new MemoryStore($)", (_, o) => new MemoryStore(o)),
      ...clocks(
        "new MemoryStore({ clock: $ })",
        (_, clock) => new MemoryStore({ clock }),
      ),
    ],
  },
  "new RedisStore": {
    throws: [
      ...options("new RedisStore($)", (_, o) => new RedisStore(o), {
        required: true,
      }),
      ...([
        [undefined, "a node-redis or ioredis client"],
        [null, "a node-redis or ioredis client"],
        [5, "a node-redis or ioredis client"],
        [{}, CLIENT_SHAPES],
        [{ evalSha: fn }, CLIENT_SHAPES],
        [{ evalsha: fn, scriptLoad: fn }, CLIENT_SHAPES],
      ] as const).map(([client, constraint]) =>
        bad(
          "new RedisStore({ client: $ })",
          (_, c) => new RedisStore({ client: c }),
          TypeError,
          "client",
          client,
          { constraint },
        )
      ),
      ...[null, 5, {}].map((prefix) =>
        bad(
          "new RedisStore({ client, prefix: $ })",
          (_, p) => new RedisStore({ client: recordingRedis([]), prefix: p }),
          TypeError,
          "prefix",
          prefix,
          { constraint: "a string" },
        )
      ),
    ],
  },
  "new DenoKvStore": {
    throws: [
      ...options("new DenoKvStore($)", (_, o) => new DenoKvStore(o), {
        required: true,
      }),
      ...[undefined, null, 5, {}, { get: fn }].map((kv) =>
        bad(
          "new DenoKvStore({ kv: $ })",
          (_, k) => new DenoKvStore({ kv: k }),
          TypeError,
          "kv",
          kv,
          { constraint: "a Deno.Kv (get, atomic)" },
        )
      ),
      ...[null, 5, []].map((prefix) =>
        bad(
          "new DenoKvStore({ kv, prefix: $ })",
          (_, p) => new DenoKvStore({ kv: recordingKv([]), prefix: p }),
          TypeError,
          "prefix",
          prefix,
          { constraint: "a string" },
        )
      ),
      ...clocks(
        "new DenoKvStore({ kv, clock: $ })",
        (_, clock) => new DenoKvStore({ kv: recordingKv([]), clock }),
      ),
      ...numbers(
        "new DenoKvStore({ kv, maxAttempts: $ })",
        (ctx, maxAttempts) =>
          new DenoKvStore({
            kv: recordingKv([]),
            maxAttempts,
            clock: ctx.clock,
          }),
        "maxAttempts",
        "count",
      ),
    ],
  },
  ...Object.fromEntries(
    STORES.flatMap(([name, make]) => Object.entries(storeMethods(name, make))),
  ),
};

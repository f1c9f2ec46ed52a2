/**
 * `RedisStore`: the store contracts on a Redis (or Valkey) server, through
 * the caller's own client (node-redis v5 or ioredis 5): pledge takes no
 * dependency. Every decision is one call of one Lua script, atomic on the
 * server and on the server's clock.
 *
 * @module
 */

import { assertOptions, orDefault, typeError } from "../../core/_validate.ts";
import { REDIS_SCRIPT } from "./_redis_script.ts";
import { checkRequest } from "./_store_requests.ts";
import type {
  BudgetReply,
  BudgetRequest,
  CircuitCommand,
  CircuitView,
  FleetStore,
  TokenGrant,
  TokenRequest,
} from "./store_contracts.ts";

/** The methods of a node-redis v5 client that {@linkcode RedisStore} uses. */
export interface NodeRedisClient {
  /** `EVALSHA sha numkeys keys... args...`. */
  evalSha(
    sha: string,
    options: { keys: string[]; arguments: string[] },
  ): Promise<unknown>;
  /** `SCRIPT LOAD script`. */
  scriptLoad(script: string): Promise<string>;
  /**
   * `EVAL script numkeys keys... args...`: used, when the client has it, on
   * a server that answers `NOSCRIPT`.
   */
  eval?(
    script: string,
    options: { keys: string[]; arguments: string[] },
  ): Promise<unknown>;
}

/** The methods of an ioredis 5 client that {@linkcode RedisStore} uses. */
export interface IoRedisClient {
  /** `EVALSHA sha numkeys keys... args...`. */
  evalsha(sha: string, numKeys: number, ...args: string[]): Promise<unknown>;
  /** `SCRIPT LOAD script`. */
  script(subcommand: "LOAD", script: string): Promise<unknown>;
  /**
   * `EVAL script numkeys keys... args...`: used, when the client has it, on
   * a server that answers `NOSCRIPT`.
   */
  eval?(script: string, numKeys: number, ...args: string[]): Promise<unknown>;
}

/** Options of the {@linkcode RedisStore} constructor. */
export interface RedisStoreOptions {
  /**
   * A connected client: node-redis v5 (`createClient()`, a pool or a
   * cluster client) or ioredis 5 (`new Redis()` or `new Redis.Cluster()`).
   */
  client: NodeRedisClient | IoRedisClient;
  /**
   * Put before every key: `<prefix>limiter:<key>`, `<prefix>circuit:<key>`,
   * `<prefix>budget:<key>`.
   *
   * @default {"pledge:"}
   */
  prefix?: string;
}

type Eval = (keys: string[], args: string[]) => Promise<unknown>;

const CREATE = "create the Redis store";

/**
 * A store on a Redis or Valkey server, shared by every process that reaches
 * it. Each decision is one `EVALSHA` of one script (loaded once with `SCRIPT
 * LOAD`), which decides atomically on the server's clock (`TIME`): exact
 * whatever the callers' clocks. A server that answers `NOSCRIPT` (after a
 * restart or a `SCRIPT FLUSH`, or a node of a cluster that `SCRIPT LOAD` did
 * not reach) gets the script with the call itself, by `EVAL` (by `SCRIPT
 * LOAD` again with a client that has no `eval`). Each call touches one key,
 * so Redis Cluster works too. Bucket keys expire once the bucket is full
 * again.
 *
 * The client's own reconnection and offline queue apply; the policies put
 * their time limit (`storeTimeoutMs`) on each call.
 *
 * @example A limit shared through Redis (a stand-in client here; pass
 * `createClient()` of node-redis or `new Redis()` of ioredis)
 * ```ts
 * import { RateLimiter, RedisStore } from "@pledge/core";
 * import assert from "node:assert/strict";
 *
 * const loaded: string[] = [];
 * const client = {
 *   scriptLoad: (script: string) => (loaded.push(script), Promise.resolve("sha")),
 *   evalSha: () => Promise.resolve([1, 0, "1700000000", "0"]),
 * };
 * const store = new RedisStore({ client, prefix: "myapp:" });
 * const limiter = new RateLimiter({ limit: 100, intervalMs: 1000, store, key: "api" });
 * await limiter.acquire();
 * await limiter.acquire();
 * assert.equal(loaded.length, 1); // loaded once, then called by SHA
 * ```
 */
export class RedisStore implements FleetStore {
  /** The prefix of every key. */
  readonly prefix: string;
  readonly #evalSha: (sha: string, keys: string[], args: string[]) => Promise<
    unknown
  >;
  readonly #load: () => Promise<unknown>;
  readonly #eval: Eval | undefined;
  #sha: Promise<string> | undefined;
  #loaded: string | undefined;

  /**
   * Wraps a client.
   *
   * @param options The client and the key prefix.
   * @throws {TypeError} If the client has neither shape, or the prefix is
   *   not a string.
   */
  constructor(options: RedisStoreOptions) {
    assertOptions(CREATE, options);
    if (options === undefined) {
      typeError(CREATE, "options", "an options object", options);
    }
    const client = options.client as unknown as Record<string, unknown>;
    const prefix = orDefault(options.prefix, "pledge:");
    if (typeof prefix !== "string") {
      typeError(CREATE, "prefix", "a string", prefix);
    }
    if (client === null || typeof client !== "object") {
      typeError(CREATE, "client", "a node-redis or ioredis client", client);
    }
    if (
      typeof client.evalSha === "function" &&
      typeof client.scriptLoad === "function"
    ) {
      const redis = client as unknown as NodeRedisClient;
      this.#evalSha = (sha, keys, args) =>
        redis.evalSha(sha, { keys, arguments: args });
      this.#load = () => redis.scriptLoad(REDIS_SCRIPT);
      if (typeof redis.eval === "function") {
        this.#eval = (keys, args) =>
          redis.eval!(REDIS_SCRIPT, { keys, arguments: args });
      }
    } else if (
      typeof client.evalsha === "function" &&
      typeof client.script === "function"
    ) {
      const redis = client as unknown as IoRedisClient;
      this.#evalSha = (sha, keys, args) =>
        redis.evalsha(sha, keys.length, ...keys, ...args);
      this.#load = () => redis.script("LOAD", REDIS_SCRIPT);
      if (typeof redis.eval === "function") {
        this.#eval = (keys, args) =>
          redis.eval!(REDIS_SCRIPT, keys.length, ...keys, ...args);
      }
    } else {
      typeError(
        CREATE,
        "client",
        "a node-redis v5 client (evalSha, scriptLoad) or an ioredis client (evalsha, script)",
        client,
      );
    }
    this.prefix = prefix;
  }

  /**
   * Takes tokens from a bucket (see {@linkcode RateLimiterStore}).
   *
   * @param key The name of the bucket.
   * @param request The rate, the burst and the weights.
   * @returns What was taken, or how long until enough is available.
   * @throws {TypeError} Rejects with it if `key` is not a non-empty string,
   *   or `request` or one of its fields has the wrong type (nothing is sent).
   * @throws {RangeError} Rejects with it if a field of `request` is out of
   *   range (a weight above the burst, a `maxWeight` below the weight).
   *
   * @example One round trip per decision
   * ```ts
   * import { RedisStore } from "@pledge/core";
   * import assert from "node:assert/strict";
   *
   * let calls = 0;
   * const client = {
   *   scriptLoad: () => Promise.resolve("sha"),
   *   evalSha: () => (calls++, Promise.resolve([0, 250, "1700000000", "500"])),
   * };
   * const store = new RedisStore({ client });
   * const request = { limit: 4, intervalMs: 1000, burst: 4, weight: 1, maxWeight: 1 };
   * const grant = await store.takeTokens("api", request);
   * assert.deepEqual(grant, { granted: 0, retryAfterMs: 250, at: 1700000000000.5 });
   * assert.equal(calls, 1);
   * ```
   */
  takeTokens(key: string, request: TokenRequest): Promise<TokenGrant> {
    try {
      checkRequest("limiter", key, request);
    } catch (error) {
      return Promise.reject(error);
    }
    return this.#run(`limiter:${key}`, [
      "take",
      String(request.limit),
      String(request.intervalMs),
      String(request.burst),
      String(request.weight),
      String(request.maxWeight),
    ], 4).then(toGrant);
  }

  /**
   * Updates a circuit (see {@linkcode CircuitBreakerStore}).
   *
   * @param key The name of the circuit.
   * @param command What to do.
   * @returns The circuit after the command.
   * @throws {TypeError} Rejects with it if `key` is not a non-empty string,
   *   or `command` is not a command of the contract (nothing is sent).
   * @throws {RangeError} Rejects with it if a number of `command` is out of
   *   range.
   *
   * @example Reading the reply of the script
   * ```ts
   * import { RedisStore } from "@pledge/core";
   * import assert from "node:assert/strict";
   *
   * const client = {
   *   scriptLoad: () => Promise.resolve("sha"),
   *   evalSha: () => Promise.resolve(["isolated", 3, 0, 1, "5000", 0]),
   * };
   * const view = await new RedisStore({ client }).updateCircuit("db", { op: "isolate" });
   * assert.equal(view.state, "isolated");
   * assert.equal(view.epoch, 3);
   * ```
   */
  async updateCircuit(
    key: string,
    command: CircuitCommand,
  ): Promise<CircuitView> {
    checkRequest("circuit", key, command);
    const args = ["circuit", command.op, "", "0", "0", "0", "0", "0", "0"];
    if (command.op === "enter") {
      args[2] = command.probe;
      args[3] = String(command.maxProbes);
      args[4] = String(command.probeLeaseMs);
    } else if (command.op === "trip") {
      args[2] = command.probe ?? "";
      args[5] = String(command.epoch);
      args[6] = String(command.cooldownMs);
    } else if (command.op === "probe") {
      args[2] = command.probe;
      args[5] = String(command.epoch);
      args[7] = command.success ? "1" : "0";
      args[8] = String(command.successThreshold);
    }
    const reply = await this.#run(`circuit:${key}`, args, 6);
    return {
      state: reply[0] as CircuitView["state"],
      epoch: Number(reply[1]),
      retryAfterMs: Number(reply[2]),
      openings: Number(reply[3]),
      cooldownMs: Number(reply[4]),
      probe: Number(reply[5]) === 1,
    };
  }

  /**
   * Updates a retry budget (see {@linkcode RetryBudgetStore}).
   *
   * @param key The name of the budget.
   * @param request The budget's settings and what to do.
   * @returns Whether a retry was taken, and what is left.
   * @throws {TypeError} Rejects with it if `key` is not a non-empty string,
   *   or `request` or one of its fields has the wrong type (nothing is sent).
   * @throws {RangeError} Rejects with it if a number of `request` is out of
   *   range.
   *
   * @example Reading the reply of the script
   * ```ts
   * import { RedisStore } from "@pledge/core";
   * import assert from "node:assert/strict";
   *
   * const client = {
   *   scriptLoad: () => Promise.resolve("sha"),
   *   evalSha: () => Promise.resolve([1, "2.5"]),
   * };
   * const request = { maxRetries: 10, refill: { limit: 1, intervalMs: 1000 }, ratio: 0.1, deposits: 0, withdraw: true };
   * const reply = await new RedisStore({ client }).updateBudget("api", request);
   * assert.deepEqual(reply, { granted: true, available: 2.5 });
   * ```
   */
  async updateBudget(
    key: string,
    request: BudgetRequest,
  ): Promise<BudgetReply> {
    checkRequest("budget", key, request);
    const reply = await this.#run(`budget:${key}`, [
      "budget",
      String(request.maxRetries),
      String(request.refill.limit),
      String(request.refill.intervalMs),
      String(request.ratio),
      String(request.deposits),
      request.withdraw ? "1" : "0",
    ], 2);
    return { granted: Number(reply[0]) === 1, available: Number(reply[1]) };
  }

  // One EVALSHA; the script is loaded first. After NOSCRIPT, one EVAL (the
  // server that runs the key caches the script: on a cluster, SCRIPT LOAD
  // reaches one node), or SCRIPT LOAD again and EVALSHA. Once the script is
  // loaded, a call is the client's promise and one `then` (no async layer).
  #run(key: string, args: string[], length: number): Promise<unknown[]> {
    const keys = [this.prefix + key];
    const check = (reply: unknown): unknown[] => checkReply(reply, length);
    const loaded = this.#loaded;
    if (loaded !== undefined) {
      let sent: Promise<unknown>;
      try {
        sent = this.#evalSha(loaded, keys, args);
      } catch (error) {
        return this.#retry(error, keys, args).then(check);
      }
      return Promise.resolve(sent).then(
        check,
        (error) => this.#retry(error, keys, args).then(check),
      );
    }
    return this.#scriptSha()
      .then((sha) => this.#evalSha(sha, keys, args))
      .then(check, (error) => this.#retry(error, keys, args).then(check));
  }

  async #retry(
    error: unknown,
    keys: string[],
    args: string[],
  ): Promise<unknown> {
    if (!String((error as Error)?.message).includes("NOSCRIPT")) throw error;
    if (this.#eval !== undefined) return await this.#eval(keys, args);
    this.#sha = this.#loaded = undefined;
    return await this.#evalSha(await this.#scriptSha(), keys, args);
  }

  #scriptSha(): Promise<string> {
    if (this.#sha === undefined) {
      const loading = Promise.resolve(this.#load()).then((sha) => {
        if (typeof sha !== "string") {
          throw new TypeError(
            `Cannot load the script as SCRIPT LOAD must answer a string: current value is ${
              JSON.stringify(sha)
            }`,
          );
        }
        if (this.#sha === loading) this.#loaded = sha;
        return sha;
      });
      // A failed load is tried again by the next call.
      loading.catch(() => {
        if (this.#sha === loading) this.#sha = undefined;
      });
      this.#sha = loading;
    }
    return this.#sha;
  }
}

function checkReply(reply: unknown, length: number): unknown[] {
  if (!Array.isArray(reply) || reply.length !== length) {
    throw new TypeError(
      `Cannot use the Redis reply as it must be an array of ${length} items: current value is ${
        JSON.stringify(reply)
      }`,
    );
  }
  return reply;
}

function toGrant(reply: unknown[]): TokenGrant {
  return {
    granted: Number(reply[0]),
    retryAfterMs: Number(reply[1]),
    at: Number(reply[2]) * 1000 + Number(reply[3]) / 1000,
  };
}

/**
 * The decisions of the shared stores, as pure functions of a stored record,
 * a request and the store's time: `MemoryStore` applies them to a map,
 * `DenoKvStore` inside a compare-and-set loop. `RedisStore` runs the same
 * algorithms in Lua (`_redis_script.ts`): keep the two in step.
 *
 * @module
 */

import type {
  BudgetReply,
  BudgetRequest,
  CircuitCommand,
  CircuitView,
  TokenGrant,
  TokenRequest,
} from "./store_contracts.ts";

/**
 * A bucket as GCRA stores it: its theoretical arrival time `tat`, when the
 * bucket is full again; `undefined` for a bucket never used (full).
 */
export interface BucketRecord {
  /** When the bucket is full again, on the store's clock. */
  tat: number;
}

const isNumber = (v: unknown): v is number =>
  typeof v === "number" && !Number.isNaN(v);

/**
 * Whether a stored value is a record of the `kind` of state (`DenoKvStore`
 * checks what it reads: a key may hold someone else's data).
 */
export function isRecord(
  kind: "limiter" | "circuit" | "budget",
  value: unknown,
): boolean {
  if (value === null || typeof value !== "object") return false;
  const r = value as Record<string, unknown>;
  switch (kind) {
    case "limiter":
      return isNumber(r.tat);
    case "budget":
      return isNumber(r.tokens) && isNumber(r.updatedAt);
    case "circuit":
      return typeof r.state === "string" && isNumber(r.epoch) &&
        isNumber(r.openUntil) && isNumber(r.openings) &&
        isNumber(r.cooldownMs) && isNumber(r.successes) &&
        Array.isArray(r.probes);
  }
}

/** The outcome of a decision: the reply, and the record to store if any. */
export interface Decision<R, T> {
  /** What the store answers. */
  reply: T;
  /** The new record, or `undefined` when nothing changed. */
  record: R | undefined;
}

/**
 * GCRA: each token "costs" `T = intervalMs / limit` of time; the bucket
 * holds what lies between `tat` and `now + burst * T`. Takes as many tokens
 * as are there, up to `maxWeight`, if at least `weight` are.
 */
export function takeTokens(
  record: BucketRecord | undefined,
  request: TokenRequest,
  now: number,
): Decision<BucketRecord, TokenGrant> {
  const cost = request.intervalMs / request.limit;
  const base = record === undefined || record.tat < now ? now : record.tat;
  const room = now + request.burst * cost - base;
  let tokens = Math.floor(room / cost);
  if (tokens > request.maxWeight) tokens = request.maxWeight;
  if (tokens >= request.weight) {
    return {
      reply: { granted: tokens, retryAfterMs: 0, at: now },
      record: { tat: base + tokens * cost },
    };
  }
  const waitMs = Math.ceil(
    base + (request.weight - request.burst) * cost - now,
  );
  return {
    reply: { granted: 0, retryAfterMs: waitMs > 1 ? waitMs : 1, at: now },
    record: undefined,
  };
}

/** A shared circuit as stored. */
export interface CircuitRecord {
  /** The state. */
  state: CircuitView["state"];
  /** Grows with every change of state. */
  epoch: number;
  /** When an open circuit becomes half-open, on the store's clock. */
  openUntil: number;
  /** Openings in a row. */
  openings: number;
  /** The last cooldown, in milliseconds. */
  cooldownMs: number;
  /** Trial successes since the circuit went half-open. */
  successes: number;
  /** The trial slots taken: `[id, expiresAt]`. */
  probes: [string, number][];
}

const CLOSED: CircuitRecord = {
  state: "closed",
  epoch: 0,
  openUntil: 0,
  openings: 0,
  cooldownMs: 0,
  successes: 0,
  probes: [],
};

function viewOf(
  record: CircuitRecord,
  now: number,
  probe: boolean,
): CircuitView {
  const left = record.state === "open" ? Math.ceil(record.openUntil - now) : 0;
  return {
    state: record.state,
    epoch: record.epoch,
    retryAfterMs: left > 0 ? left : 0,
    openings: record.openings,
    cooldownMs: record.cooldownMs,
    probe,
  };
}

function moved(
  record: CircuitRecord,
  state: CircuitRecord["state"],
): CircuitRecord {
  return {
    ...record,
    state,
    epoch: record.epoch + 1,
    successes: 0,
    probes: [],
  };
}

function opened(
  record: CircuitRecord,
  cooldownMs: number,
  now: number,
): CircuitRecord {
  return {
    ...moved(record, "open"),
    openUntil: now + cooldownMs,
    openings: record.openings + 1,
    cooldownMs,
  };
}

/** Applies a command to a shared circuit. */
export function updateCircuit(
  stored: CircuitRecord | undefined,
  command: CircuitCommand,
  now: number,
): Decision<CircuitRecord, CircuitView> {
  const before = stored ?? CLOSED;
  let record = before;
  let probe = false;
  if (record.state === "open" && now >= record.openUntil) {
    record = moved(record, "half_open");
  }
  switch (command.op) {
    case "enter":
      if (record.state === "half_open") {
        const live = record.probes.filter(([, until]) => until > now);
        if (live.length < command.maxProbes) {
          live.push([command.probe, now + command.probeLeaseMs]);
          probe = true;
        }
        if (probe || live.length !== record.probes.length) {
          record = { ...record, probes: live };
        }
      }
      break;
    case "trip":
      if (
        command.epoch === record.epoch &&
        (record.state === "closed" || record.state === "half_open")
      ) {
        record = opened(record, command.cooldownMs, now);
      }
      break;
    case "probe":
      if (command.epoch === record.epoch && record.state === "half_open") {
        const probes = record.probes.filter(([id]) => id !== command.probe);
        const successes = record.successes + (command.success ? 1 : 0);
        record = successes >= command.successThreshold
          ? { ...moved(record, "closed"), openings: 0, cooldownMs: 0 }
          : { ...record, probes, successes };
      }
      break;
    case "isolate":
      if (record.state !== "isolated") record = moved(record, "isolated");
      break;
    case "reset":
      if (record.state !== "closed" || record.openings !== 0) {
        record = { ...moved(record, "closed"), openings: 0, cooldownMs: 0 };
      }
      break;
  }
  return {
    reply: viewOf(record, now, probe),
    record: record === before ? undefined : record,
  };
}

/** A shared retry budget as stored. */
export interface BudgetRecord {
  /** The retries in the bucket. */
  tokens: number;
  /** When `tokens` was computed, on the store's clock. */
  updatedAt: number;
}

// Deposits of fractions (10 x 0.1) must add up to a whole retry.
const EPSILON = 1e-9;

/** Refills, deposits and maybe withdraws one retry. */
export function updateBudget(
  stored: BudgetRecord | undefined,
  request: BudgetRequest,
  now: number,
): Decision<BudgetRecord, BudgetReply> {
  const max = request.maxRetries;
  let tokens = max;
  if (stored !== undefined) {
    const elapsed = now > stored.updatedAt ? now - stored.updatedAt : 0;
    tokens = stored.tokens +
      elapsed * request.refill.limit / request.refill.intervalMs;
  }
  tokens += request.deposits * request.ratio;
  if (tokens > max) tokens = max;
  let granted = false;
  if (request.withdraw && tokens - 1 >= -EPSILON) {
    granted = true;
    tokens = tokens - 1 > 0 ? tokens - 1 : 0;
  }
  return {
    reply: { granted, available: tokens },
    record: { tokens, updatedAt: now },
  };
}

/**
 * The store side of a fleet-wide `RateLimiter`: the decisions taken on the
 * store (one call each, or one per lease of tokens), the local line of
 * callers waiting for the store's next token, and the store-failure modes.
 *
 * One store call at a time per limiter: requests made while one is in
 * flight go together in the next (taking from `weight` of the first to the
 * sum of all, served in order), so under load a round trip decides many
 * requests, exactly. A caller refused by the store in wait mode joins the
 * line; only the first in line asks the store again, when the store said
 * enough tokens would be there.
 *
 * @module
 */

import type { Clock } from "../../core/clock.ts";
import { RateLimitedError } from "../../core/errors.ts";
import { RingQueue } from "../../core/_ring.ts";
import { type QueuedTimer, timerQueueFor } from "../../core/_timer_queue.ts";
import { onAbort } from "../../cancel/signals.ts";
import type { Rate } from "../rate_limiter.ts";
import { replyField, type StartTimer, type StoreLink } from "./_store_link.ts";
import type {
  RateLimiterStore,
  TokenGrant,
  TokenRequest,
} from "./store_contracts.ts";

const GRANTED = 0;
const FAILED = -1;
const RESOLVED: Promise<void> = Promise.resolve();

interface Waiter {
  weight: number;
  reject: boolean;
  signal: AbortSignal | undefined;
  resolve: () => void;
  fail: (reason: unknown) => void;
  registration: Disposable | undefined;
  /** Aborted, or settled. */
  done: boolean;
  /** When in line: the wait the store asked for before asking again. */
  retryAfterMs: number;
}

function newWaiter(
  weight: number,
  reject: boolean,
  signal: AbortSignal | undefined,
  resolve: () => void,
  fail: (reason: unknown) => void,
): Waiter {
  return {
    weight,
    reject,
    signal,
    resolve,
    fail,
    registration: undefined,
    done: false,
    retryAfterMs: 0,
  };
}

/** Decides on the limiter's own bucket (the `"local"` failure mode). */
export type LocalAcquire = (
  weight: number,
  signal: AbortSignal | undefined,
  reject: boolean,
) => Promise<void>;

const isCount = (v: unknown): v is number =>
  typeof v === "number" && Number.isInteger(v) && v >= 0;
const isNumber = (v: unknown): v is number =>
  typeof v === "number" && Number.isFinite(v);

/**
 * The time limit of the limiter's store calls, on its clock's timer queue
 * (which the limiter ships anyway): on the system clock an emptied queue
 * keeps its host timer for a few microtask turns, so calls one at a time
 * (one ends, the next starts) do not arm and clear a host timer each (about
 * 1.5 µs per call).
 */
export const queuedTimer: StartTimer = (clock, callback, ms) => {
  const queue = timerQueueFor(clock);
  const entry = queue.schedule(callback, ms);
  return () => void queue.cancel(entry);
};

/** A bucket kept in a store, with an optional local lease of tokens. */
export class SharedBucket {
  readonly #link: StoreLink<RateLimiterStore>;
  readonly #rate: Rate & { burst: number };
  readonly #lease: number;
  readonly #leaseMs: number;
  readonly #clock: Clock;
  readonly #local: LocalAcquire;
  #leased = 0;
  #leaseUntil = 0;
  // Requests waiting for the store call in flight to end.
  #batch: { weight: number; resolve: (outcome: number) => void }[] = [];
  #sending = false;
  readonly #line = new RingQueue<Waiter>();
  #busy = false;
  #timer: QueuedTimer | undefined;
  readonly #onTimer = (): void => {
    this.#timer = undefined;
    this.#step();
  };

  constructor(
    link: StoreLink<RateLimiterStore>,
    rate: Rate & { burst: number },
    lease: number,
    leaseMs: number,
    clock: Clock,
    local: LocalAcquire,
  ) {
    this.#link = link;
    this.#rate = rate;
    this.#lease = lease;
    this.#leaseMs = leaseMs;
    this.#clock = clock;
    this.#local = local;
  }

  /** Callers waiting in this process for the store's tokens. */
  get queued(): number {
    return this.#line.length;
  }

  /** Leased tokens this process may still use without asking the store. */
  get leased(): number {
    return this.#leased > 0 && this.#clock.now() < this.#leaseUntil
      ? this.#leased
      : 0;
  }

  /** Takes `weight` tokens; `reject` refuses instead of waiting. */
  acquire(
    weight: number,
    signal: AbortSignal | undefined,
    reject: boolean,
  ): Promise<void> {
    if (this.#line.length === 0) {
      if (this.#fromLease(weight)) return RESOLVED;
      // Without a signal nothing can settle the caller before the store
      // answers: no waiter until the answer asks for one.
      if (signal === undefined) {
        return this.#take(weight).then((outcome) =>
          outcome === GRANTED
            ? undefined
            : this.#settle(weight, reject, outcome)
        );
      }
    }
    return new Promise<void>((resolve, fail) => {
      const waiter = newWaiter(weight, reject, signal, resolve, fail);
      if (signal !== undefined) {
        waiter.registration = onAbort(signal, (reason) => {
          waiter.done = true;
          const first = this.#line.peek() === waiter;
          this.#line.remove(waiter);
          if (first && this.#timer !== undefined) {
            timerQueueFor(this.#clock).cancel(this.#timer);
            this.#timer = undefined;
          }
          fail(reason);
          if (first) this.#step();
        });
      }
      if (this.#line.length > 0 && !reject) {
        this.#line.push(waiter);
        return;
      }
      this.#take(weight).then((outcome) => {
        if (!waiter.done) this.#answer(waiter, outcome);
      });
    });
  }

  // The store's answer for a caller without a signal, not granted.
  #settle(weight: number, reject: boolean, outcome: number): Promise<void> {
    return new Promise<void>((resolve, fail) =>
      this.#answer(
        newWaiter(weight, reject, undefined, resolve, fail),
        outcome,
      )
    );
  }

  // The store's first answer to a caller: in line (to wait as the store
  // said), or settled as the outcome says.
  #answer(waiter: Waiter, outcome: number): void {
    if (outcome > 0 && !waiter.reject) {
      waiter.retryAfterMs = outcome;
      this.#line.push(waiter);
      if (this.#line.length === 1) this.#step();
    } else {
      this.#decide(waiter, outcome);
    }
  }

  // Serves the first in line: asks the store, or waits as it said.
  #step(): void {
    if (this.#busy || this.#timer !== undefined) return;
    const head = this.#line.peek();
    if (head === undefined) return;
    if (head.retryAfterMs > 0) {
      const ms = head.retryAfterMs;
      head.retryAfterMs = 0;
      this.#timer = timerQueueFor(this.#clock).schedule(this.#onTimer, ms);
      return;
    }
    this.#busy = true;
    this.#take(head.weight).then((outcome) => {
      this.#busy = false;
      if (!head.done) {
        if (outcome > 0) {
          head.retryAfterMs = outcome;
        } else {
          this.#line.shift();
          this.#decide(head, outcome);
        }
      }
      this.#step();
    });
  }

  // Settles a waiter that got tokens or met a failing store.
  #decide(waiter: Waiter, outcome: number): void {
    waiter.done = true;
    waiter.registration?.[Symbol.dispose]();
    if (outcome === GRANTED) {
      waiter.resolve();
    } else if (outcome > 0) {
      waiter.fail(new RateLimitedError(outcome));
    } else if (this.#link.failure === "allow") {
      waiter.resolve();
    } else if (this.#link.failure === "deny") {
      waiter.fail(new RateLimitedError(0, { cause: this.#link.lastError }));
    } else {
      this.#local(waiter.weight, waiter.signal, waiter.reject).then(
        waiter.resolve,
        waiter.fail,
      );
    }
  }

  #fromLease(weight: number): boolean {
    if (this.#leased < weight) return false;
    if (this.#clock.now() >= this.#leaseUntil) {
      this.#leased = 0;
      return false;
    }
    this.#leased -= weight;
    return true;
  }

  // One decision: GRANTED, FAILED, or the milliseconds to wait. Requests
  // made while a store call is in flight wait for it and go together in the
  // next one (one store call for the batch, decided in order on the store).
  #take(weight: number): Promise<number> {
    if (this.#batch.length === 0 && this.#fromLease(weight)) {
      return Promise.resolve(GRANTED);
    }
    // A failing store: no waiting behind a call that is trying it.
    if (this.#sending && this.#link.failing) {
      return this.#ask(weight, weight).then((grant) =>
        grant === undefined
          ? FAILED
          : grant.granted > 0
          ? GRANTED
          : grant.retryAfterMs
      );
    }
    return new Promise<number>((resolve) => {
      this.#batch.push({ weight, resolve });
      if (!this.#sending) this.#send();
    });
  }

  #send(): void {
    let batch = this.#batch;
    // What the lease still covers, in order.
    let i = 0;
    while (i < batch.length && this.#fromLease(batch[i]!.weight)) {
      batch[i++]!.resolve(GRANTED);
    }
    if (i > 0) batch = batch.slice(i);
    this.#batch = [];
    if (batch.length === 0) return;
    let sum = 0;
    for (const request of batch) sum += request.weight;
    const weight = batch[0]!.weight;
    const maxWeight = sum > this.#lease ? sum : this.#lease;
    const sentAt = this.#clock.now();
    this.#sending = true;
    this.#ask(weight, maxWeight).then((grant) => {
      this.#sending = false;
      if (grant === undefined || grant.granted === 0) {
        const outcome = grant === undefined ? FAILED : grant.retryAfterMs;
        for (const request of batch) request.resolve(outcome);
      } else {
        let left = grant.granted;
        let next = 0;
        while (next < batch.length && batch[next]!.weight <= left) {
          left -= batch[next]!.weight;
          batch[next++]!.resolve(GRANTED);
        }
        // The rest go first in the next call; tokens left over are leased
        // (with a lease) or dropped.
        if (next < batch.length) {
          this.#batch = batch.slice(next).concat(this.#batch);
        }
        if (left > 0 && this.#lease > 1) {
          const until = sentAt + this.#leaseMs;
          if (this.leased === 0 || until < this.#leaseUntil) {
            this.#leaseUntil = until;
          }
          this.#leased = this.leased + left;
        }
      }
      if (this.#batch.length > 0) this.#send();
    });
  }

  #ask(weight: number, maxWeight: number): Promise<TokenGrant | undefined> {
    const request: TokenRequest = {
      limit: this.#rate.limit,
      intervalMs: this.#rate.intervalMs,
      burst: this.#rate.burst,
      weight,
      maxWeight,
    };
    return this.#link.call(
      (store, key) => store.takeTokens(key, request),
      (reply) => checkGrant(reply, weight, maxWeight),
    );
  }
}

function checkGrant(
  reply: unknown,
  weight: number,
  maxWeight: number,
): TokenGrant {
  // The common case, without building the messages of the checks below.
  if (reply !== null && typeof reply === "object") {
    const { granted, retryAfterMs, at } = reply as TokenGrant;
    if (
      isCount(granted) && isNumber(retryAfterMs) && isNumber(at) &&
      (granted === 0
        ? retryAfterMs > 0
        : granted >= weight && granted <= maxWeight && retryAfterMs >= 0)
    ) {
      return { granted, retryAfterMs: Math.ceil(retryAfterMs), at };
    }
  }
  const granted = replyField(
    reply,
    "granted",
    `0 or an integer from ${weight} to ${maxWeight}`,
    (v): v is number =>
      isCount(v) && (v === 0 || (v >= weight && v <= maxWeight)),
  );
  const retryAfterMs = replyField(
    reply,
    "retryAfterMs",
    granted === 0 ? "a finite number > 0" : "a finite number >= 0",
    (v): v is number => isNumber(v) && (granted === 0 ? v > 0 : v >= 0),
  );
  const at = replyField(reply, "at", "a finite number", isNumber);
  return { granted, retryAfterMs: Math.ceil(retryAfterMs), at };
}

/**
 * What a `CircuitBreaker` on a store needs beside its state machine: the
 * ids of its trial slots and the check of the store's replies.
 *
 * @module
 */

import { replyField } from "../stores/_store_link.ts";
import type { CircuitView } from "../stores/store_contracts.ts";
import type { CircuitState } from "./circuit_breaker_options.ts";

/** The states of a circuit, in the order error messages list them. */
export const STATES: readonly CircuitState[] = [
  "closed",
  "open",
  "half_open",
  "isolated",
];
/** The states as an error message lists them. */
export const ONE_OF_STATES = 'one of "closed", "open", "half_open", "isolated"';
const COUNT = "an integer >= 0";
const DURATION = "a finite number >= 0";
// Trial-slot ids: unique per process (a random part) and per call.
const PROCESS = Math.random().toString(36).slice(2, 10);
let sequence = 0;

/** A new trial-slot id: letters and digits only. */
export function probeId(): string {
  return PROCESS + (++sequence).toString(36);
}

const isCount = (v: unknown): v is number =>
  typeof v === "number" && Number.isInteger(v) && v >= 0;
const isDuration = (v: unknown): v is number =>
  typeof v === "number" && v >= 0 && v !== Infinity;

/** Checks a store's {@linkcode CircuitView}; a `TypeError` otherwise. */
export function checkView(reply: unknown): CircuitView {
  return {
    state: replyField(
      reply,
      "state",
      ONE_OF_STATES,
      (v): v is CircuitView["state"] => STATES.includes(v as CircuitState),
    ),
    epoch: replyField(reply, "epoch", COUNT, isCount),
    retryAfterMs: replyField(
      reply,
      "retryAfterMs",
      DURATION,
      isDuration,
    ),
    openings: replyField(reply, "openings", COUNT, isCount),
    cooldownMs: replyField(
      reply,
      "cooldownMs",
      DURATION,
      isDuration,
    ),
    probe: replyField(
      reply,
      "probe",
      "a boolean",
      (v): v is boolean => typeof v === "boolean",
    ),
  };
}

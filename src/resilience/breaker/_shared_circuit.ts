/**
 * What a `CircuitBreaker` on a store needs beside its state machine: the
 * ids of its trial slots and the check of the store's replies.
 *
 * @module
 */

import { replyField } from "../stores/_store_link.ts";
import type { CircuitView } from "../stores/store_contracts.ts";

const STATES: readonly string[] = ["closed", "open", "half_open", "isolated"];
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
      `one of ${STATES.map((s) => `"${s}"`).join(", ")}`,
      (v): v is CircuitView["state"] => STATES.includes(v as string),
    ),
    epoch: replyField(reply, "epoch", "an integer >= 0", isCount),
    retryAfterMs: replyField(
      reply,
      "retryAfterMs",
      "a finite number >= 0",
      isDuration,
    ),
    openings: replyField(reply, "openings", "an integer >= 0", isCount),
    cooldownMs: replyField(
      reply,
      "cooldownMs",
      "a finite number >= 0",
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

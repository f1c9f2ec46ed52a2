/**
 * The checks of what the store contracts take (`store_contracts.ts`): a key
 * and a request, a command or a budget request. Every built-in store runs
 * them before it reads or writes anything, so a bad call is refused with
 * the house message (its promise rejects) and never reaches the server.
 *
 * @module
 */

import {
  assertDuration,
  assertInteger,
  assertPositiveDuration,
  rangeError,
  typeError,
} from "../../core/_validate.ts";

/** Asserts the name of a shared state: a non-empty string. */
export function assertKey(
  action: string,
  key: unknown,
): asserts key is string {
  if (typeof key !== "string" || key === "") {
    typeError(action, "key", "a non-empty string", key);
  }
}

function assertObject(
  action: string,
  option: string,
  value: unknown,
  constraint = "an object",
): asserts value is Record<string, unknown> {
  if (value === null || typeof value !== "object") {
    typeError(action, option, constraint, value);
  }
}

function assertBoolean(action: string, option: string, value: unknown): void {
  if (typeof value !== "boolean") typeError(action, option, "a boolean", value);
}

// A trial slot's id: RedisStore keeps the slots as "id expiry;id expiry".
function assertProbe(action: string, probe: unknown): void {
  if (typeof probe !== "string" || !/^[^ ;]+$/.test(probe)) {
    typeError(
      action,
      "command.probe",
      "a non-empty string without spaces or ';'",
      probe,
    );
  }
}

const TAKE = "take tokens";

function checkTokenRequest(key: unknown, request: unknown): void {
  assertKey(TAKE, key);
  assertObject(TAKE, "request", request);
  assertInteger(TAKE, "request.limit", request.limit);
  assertPositiveDuration(TAKE, "request.intervalMs", request.intervalMs);
  const burst = request.burst;
  assertInteger(TAKE, "request.burst", burst);
  const weight = request.weight;
  assertInteger(TAKE, "request.weight", weight);
  if (weight > burst) {
    rangeError(
      TAKE,
      "request.weight",
      `an integer <= burst (${burst})`,
      weight,
    );
  }
  const maxWeight = request.maxWeight;
  assertInteger(TAKE, "request.maxWeight", maxWeight);
  if (maxWeight < weight) {
    rangeError(
      TAKE,
      "request.maxWeight",
      `an integer >= weight (${weight})`,
      maxWeight,
    );
  }
}

const UPDATE_CIRCUIT = "update the circuit";
const OPS: readonly unknown[] = ["enter", "trip", "probe", "isolate", "reset"];

function checkCircuitCommand(key: unknown, command: unknown): void {
  const action = UPDATE_CIRCUIT;
  assertKey(action, key);
  assertObject(action, "command", command);
  switch (command.op) {
    case "enter":
      assertProbe(action, command.probe);
      assertInteger(action, "command.maxProbes", command.maxProbes);
      assertPositiveDuration(
        action,
        "command.probeLeaseMs",
        command.probeLeaseMs,
      );
      break;
    case "trip":
      assertInteger(action, "command.epoch", command.epoch, 0);
      assertDuration(action, "command.cooldownMs", command.cooldownMs);
      if (command.probe !== undefined) assertProbe(action, command.probe);
      break;
    case "probe":
      assertInteger(action, "command.epoch", command.epoch, 0);
      assertProbe(action, command.probe);
      assertBoolean(action, "command.success", command.success);
      assertInteger(
        action,
        "command.successThreshold",
        command.successThreshold,
      );
      break;
    default:
      if (!OPS.includes(command.op)) {
        typeError(
          action,
          "command.op",
          `"enter", "trip", "probe", "isolate" or "reset"`,
          command.op,
        );
      }
  }
}

const UPDATE_BUDGET = "update the retry budget";

function checkBudgetRequest(key: unknown, request: unknown): void {
  const action = UPDATE_BUDGET;
  assertKey(action, key);
  assertObject(action, "request", request);
  assertInteger(action, "request.maxRetries", request.maxRetries, 0);
  const refill = request.refill;
  assertObject(
    action,
    "request.refill",
    refill,
    "a rate { limit, intervalMs }",
  );
  assertDuration(action, "request.refill.limit", refill.limit);
  assertPositiveDuration(
    action,
    "request.refill.intervalMs",
    refill.intervalMs,
  );
  assertDuration(action, "request.ratio", request.ratio);
  assertInteger(action, "request.deposits", request.deposits, 0);
  assertBoolean(action, "request.withdraw", request.withdraw);
}

const CHECKS = {
  limiter: checkTokenRequest,
  circuit: checkCircuitCommand,
  budget: checkBudgetRequest,
};

/**
 * Checks the arguments of a store call: `takeTokens` (`"limiter"`),
 * `updateCircuit` (`"circuit"`) or `updateBudget` (`"budget"`).
 */
export function checkRequest(
  kind: "limiter" | "circuit" | "budget",
  key: unknown,
  request: unknown,
): void {
  CHECKS[kind](key, request);
}

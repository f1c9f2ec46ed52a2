/**
 * Error classification for retries, breakers and fallbacks: is a failure worth
 * retrying? Built-in rules recognise aborts and timeouts, network failures as
 * every major runtime words them, and HTTP statuses; user rules come first.
 *
 * @module
 */

import {
  assertFunction,
  assertNumber,
  assertOptions,
  orDefault,
  rangeError,
  typeError,
} from "../core/_validate.ts";

/**
 * What kind of failure an error is:
 * - `"transient"`: likely to pass on a retry (network failure, 502, 503...);
 * - `"timeout"`: the work took too long (`TimeoutError`, 408, `ETIMEDOUT`);
 * - `"rate-limited"`: the server asked to slow down (429);
 * - `"cancelled"`: someone aborted the work (`AbortError`): never retry;
 * - `"permanent"`: retrying cannot help (other 4xx, programmer errors such as
 *   a `TypeError` that is not a network failure);
 * - `"unknown"`: no rule recognised it.
 */
export type ErrorClass =
  | "transient"
  | "permanent"
  | "timeout"
  | "cancelled"
  | "rate-limited"
  | "unknown";

/**
 * Decides whether a failure is handled (retried by a retry, replaced by a
 * fallback, counted by a circuit breaker), given the error and its class.
 */
export type ErrorFilter = (
  error: unknown,
  classification: ErrorClass,
) => boolean;

/**
 * A classification rule: returns a class for the errors it recognises and
 * `undefined` for the others, letting later rules decide.
 */
export type ClassifierRule = (error: unknown) => ErrorClass | undefined;

/** Options of the {@linkcode Classifier} constructor. */
export interface ClassifierOptions {
  /**
   * Whether the built-in rules apply after the user rules.
   *
   * @default {true}
   */
  builtIns?: boolean;
}

const CLASSES = new Set<unknown>([
  "transient",
  "permanent",
  "timeout",
  "cancelled",
  "rate-limited",
  "unknown",
]);
const MAX_CAUSE_DEPTH = 4;

/**
 * An ordered list of classification rules. User rules added with
 * {@linkcode Classifier.use} run first, in the order added; then the built-in
 * rules (unless turned off). The first rule to answer wins. When no rule
 * recognises an error that carries a `cause`, the cause is classified instead
 * (up to 4 levels deep), so wrapping an error keeps its class.
 *
 * Built-in rules, in order:
 * 1. `name` `"AbortError"` (DOMException, Node's `AbortError`) →
 *    `"cancelled"`; `"TimeoutError"` → `"timeout"`.
 *    pledge's refusals: `RateLimitedError` and `CircuitOpenError` →
 *    `"rate-limited"` (both carry `retryAfterMs`); `BulkheadRejectedError`
 *    and `QueueFullError` → `"transient"`.
 * 2. An HTTP status, read from a `Response`, or from an error's `status`,
 *    `statusCode` or `response.status`: see {@linkcode classifyStatus}.
 * 3. Node/undici `code`s: `ETIMEDOUT`, `ESOCKETTIMEDOUT` and `UND_ERR_*_TIMEOUT`
 *    → `"timeout"`; `ECONNREFUSED`, `ECONNRESET`, `ENOTFOUND`, `EAI_AGAIN`,
 *    `EPIPE`, `ECONNABORTED`, `ENETUNREACH`, `EHOSTUNREACH`, `ENETDOWN`,
 *    `EHOSTDOWN`, `UND_ERR_SOCKET`, `UND_ERR_CLOSED` → `"transient"`;
 *    `ABORT_ERR` → `"cancelled"`.
 * 4. Deno's I/O error names: `TimedOut` → `"timeout"`; `ConnectionRefused`,
 *    `ConnectionReset`, `ConnectionAborted`, `NotConnected`, `BrokenPipe`,
 *    `Interrupted` → `"transient"`; a `DOMException` named `"NetworkError"`
 *    → `"transient"`.
 * 5. A `TypeError` whose message is a fetch network failure → `"transient"`
 *    (`"timeout"` when its cause is a timeout): Deno and Node `"fetch
 *    failed"` and Deno's `"error sending request..."`, Chromium `"Failed to
 *    fetch"` and `"network error"`, Firefox `"NetworkError when attempting to
 *    fetch resource."`, Safari `"Load failed"`, `"The network connection was
 *    lost."` and `"The Internet connection appears to be offline."`, React
 *    Native `"Network request failed"`, undici `"terminated"`.
 * 6. Any other `TypeError`, and `ReferenceError`, `SyntaxError`, `RangeError`
 *    → `"permanent"` (programmer errors: a retry would fail the same way).
 *
 * @example A rule for your own errors
 * ```ts
 * import { Classifier } from "@pledge/core";
 * import assert from "node:assert/strict";
 *
 * class QuotaError extends Error {}
 * const classifier = new Classifier().use((e) =>
 *   e instanceof QuotaError ? "rate-limited" : undefined
 * );
 * assert.equal(classifier.classify(new QuotaError()), "rate-limited");
 * assert.equal(classifier.classify(new Response(null, { status: 503 })), "transient");
 * assert.equal(classifier.classify(new Error("?")), "unknown");
 * ```
 */
export class Classifier {
  readonly #rules: ClassifierRule[] = [];
  readonly #builtIns: boolean;

  /**
   * Creates a classifier with no user rules.
   *
   * @param options Whether the built-in rules apply.
   * @throws {TypeError} If `options` is not an object or `builtIns` not a
   *   boolean.
   */
  constructor(options?: ClassifierOptions) {
    assertOptions("create a Classifier", options);
    const builtIns = orDefault(options?.builtIns, true);
    if (typeof builtIns !== "boolean") {
      typeError("create a Classifier", "builtIns", "a boolean", builtIns);
    }
    this.#builtIns = builtIns;
  }

  /**
   * Adds a rule, consulted after the rules added before it and before the
   * built-in ones.
   *
   * @param rule Returns a class, or `undefined` to let later rules decide.
   * @returns This classifier, for chaining.
   * @throws {TypeError} If `rule` is not a function.
   *
   * @example Treating a status code of your API as rate limiting
   * ```ts
   * import { Classifier } from "@pledge/core";
   * import assert from "node:assert/strict";
   *
   * const classifier = new Classifier().use((e) =>
   *   (e as { status?: number })?.status === 509 ? "rate-limited" : undefined
   * );
   * assert.equal(classifier.classify({ status: 509 }), "rate-limited");
   * ```
   */
  use(rule: ClassifierRule): this {
    assertFunction("add a classifier rule", "rule", rule);
    this.#rules.push(rule);
    return this;
  }

  /**
   * Classifies an error (any value may be thrown, so any value is accepted).
   *
   * @param error What was thrown or rejected.
   * @returns Its class; `"unknown"` when no rule recognises it.
   * @throws {TypeError} If a rule returns something that is not a class.
   *
   * @example Classifying an aborted signal's reason
   * ```ts
   * import { Classifier } from "@pledge/core";
   * import assert from "node:assert/strict";
   *
   * const controller = new AbortController();
   * controller.abort();
   * assert.equal(new Classifier().classify(controller.signal.reason), "cancelled");
   * ```
   */
  classify(error: unknown): ErrorClass {
    for (let depth = 0;; depth++) {
      const found = this.#apply(error);
      if (found !== undefined) return found;
      if (depth === MAX_CAUSE_DEPTH || !hasCause(error)) return "unknown";
      error = (error as { cause: unknown }).cause;
    }
  }

  #apply(error: unknown): ErrorClass | undefined {
    const rules = this.#rules;
    for (let i = 0; i < rules.length; i++) {
      const found = (rules[i] as ClassifierRule)(error);
      if (found === undefined) continue;
      if (!CLASSES.has(found)) {
        typeError(
          "classify an error",
          `rules[${i}]()`,
          `one of "transient", "permanent", "timeout", "cancelled", "rate-limited", "unknown" or undefined`,
          found,
        );
      }
      return found;
    }
    return this.#builtIns ? builtInRule(error) : undefined;
  }
}

/**
 * The classifier used by {@linkcode classify} and, by default, by retries and
 * fallbacks. Rules added to it with `use` apply to all of them.
 *
 * @example Adding an application-wide rule
 * ```ts
 * import { classify, defaultClassifier } from "@pledge/core";
 * import assert from "node:assert/strict";
 *
 * class MaintenanceError extends Error {}
 * defaultClassifier.use((e) =>
 *   e instanceof MaintenanceError ? "transient" : undefined
 * );
 * assert.equal(classify(new MaintenanceError()), "transient");
 * ```
 */
export const defaultClassifier: Classifier = new Classifier();

/**
 * Classifies an error with {@linkcode defaultClassifier}.
 *
 * @param error What was thrown or rejected.
 * @returns Its class; `"unknown"` when no rule recognises it.
 * @throws {TypeError} If a user rule returns something that is not a class.
 *
 * @example Runtime errors and HTTP responses
 * ```ts
 * import { classify } from "@pledge/core";
 * import assert from "node:assert/strict";
 *
 * assert.equal(classify(new DOMException("late", "TimeoutError")), "timeout");
 * assert.equal(classify(new TypeError("Failed to fetch")), "transient");
 * assert.equal(classify(new TypeError("x is not a function")), "permanent");
 * assert.equal(classify(new Response(null, { status: 429 })), "rate-limited");
 * assert.equal(classify({ statusCode: 404 }), "permanent");
 * assert.equal(classify("boom"), "unknown");
 * ```
 */
export function classify(error: unknown): ErrorClass {
  return defaultClassifier.classify(error);
}

/**
 * Classifies an HTTP status code: 408 → `"timeout"`; 429 → `"rate-limited"`;
 * 425, 500, 502, 503, 504 → `"transient"`; any other 4xx → `"permanent"`;
 * anything else (successes, redirects, other 5xx such as 501) →
 * `"unknown"`.
 *
 * @param status The status code, an integer from 100 to 599.
 * @returns Its class.
 * @throws {TypeError} If `status` is not a number.
 * @throws {RangeError} If `status` is not an integer from 100 to 599.
 *
 * @example Statuses
 * ```ts
 * import { classifyStatus } from "@pledge/core";
 * import assert from "node:assert/strict";
 *
 * assert.equal(classifyStatus(503), "transient");
 * assert.equal(classifyStatus(401), "permanent");
 * assert.equal(classifyStatus(200), "unknown");
 * assert.throws(() => classifyStatus(NaN), RangeError);
 * ```
 */
export function classifyStatus(status: number): ErrorClass {
  assertNumber("classify a status", "status", status);
  if (!Number.isInteger(status) || status < 100 || status > 599) {
    rangeError(
      "classify a status",
      "status",
      "an integer from 100 to 599",
      status,
    );
  }
  return statusClass(status);
}

/** The class of a status already known to be an integer in [100, 599]. */
function statusClass(status: number): ErrorClass {
  switch (status) {
    case 408:
      return "timeout";
    case 429:
      return "rate-limited";
    case 425:
    case 500:
    case 502:
    case 503:
    case 504:
      return "transient";
  }
  return status >= 400 && status < 500 ? "permanent" : "unknown";
}

const CODES: Record<string, ErrorClass> = {
  __proto__: null as never,
  ETIMEDOUT: "timeout",
  ESOCKETTIMEDOUT: "timeout",
  UND_ERR_CONNECT_TIMEOUT: "timeout",
  UND_ERR_HEADERS_TIMEOUT: "timeout",
  UND_ERR_BODY_TIMEOUT: "timeout",
  ECONNREFUSED: "transient",
  ECONNRESET: "transient",
  ENOTFOUND: "transient",
  EAI_AGAIN: "transient",
  EPIPE: "transient",
  ECONNABORTED: "transient",
  ENETUNREACH: "transient",
  EHOSTUNREACH: "transient",
  ENETDOWN: "transient",
  EHOSTDOWN: "transient",
  UND_ERR_SOCKET: "transient",
  UND_ERR_CLOSED: "transient",
  ABORT_ERR: "cancelled",
};

const NAMES: Record<string, ErrorClass> = {
  __proto__: null as never,
  TimedOut: "timeout",
  ConnectionRefused: "transient",
  ConnectionReset: "transient",
  ConnectionAborted: "transient",
  NotConnected: "transient",
  BrokenPipe: "transient",
  Interrupted: "transient",
  NetworkError: "transient",
  ReferenceError: "permanent",
  SyntaxError: "permanent",
  RangeError: "permanent",
};

const NETWORK_MESSAGES = new Set<unknown>([
  "fetch failed", // Node (undici) and Deno 2
  "terminated", // undici, a body stream cut off
  "Failed to fetch", // Chromium
  "network error", // Chromium, reading a body
  "NetworkError when attempting to fetch resource.", // Firefox
  "Load failed", // Safari
  "The network connection was lost.", // Safari
  "The Internet connection appears to be offline.", // Safari
  "Network request failed", // React Native, whatwg-fetch
]);

function builtInRule(error: unknown): ErrorClass | undefined {
  if (error === null || typeof error !== "object") return undefined;
  const e = error as {
    name?: unknown;
    code?: unknown;
    message?: unknown;
    cause?: unknown;
  };
  const name = e.name;
  if (name === "AbortError") return "cancelled";
  if (name === "TimeoutError") return "timeout";
  // pledge's own refusals: the dependency was not called, and the error says
  // when to come back (`retryAfterMs`) or that the caller is shedding load.
  if (name === "RateLimitedError" || name === "CircuitOpenError") {
    return "rate-limited";
  }
  if (name === "BulkheadRejectedError" || name === "QueueFullError") {
    return "transient";
  }
  const status = statusOf(error);
  if (status !== undefined) {
    const found = statusClass(status);
    if (found !== "unknown") return found;
  }
  const code = e.code;
  if (typeof code === "string" && CODES[code] !== undefined) return CODES[code];
  if (name === "TypeError") {
    const message = e.message;
    if (
      NETWORK_MESSAGES.has(message) ||
      (typeof message === "string" &&
        message.startsWith("error sending request"))
    ) {
      return hasCause(error) && builtInRule(e.cause) === "timeout"
        ? "timeout"
        : "transient";
    }
    return "permanent";
  }
  if (typeof name === "string" && NAMES[name] !== undefined) return NAMES[name];
  return undefined;
}

/** An HTTP status from a `Response`-like or an error carrying one. */
function statusOf(error: object): number | undefined {
  const e = error as {
    status?: unknown;
    statusCode?: unknown;
    response?: { status?: unknown } | null;
  };
  const status = e.status ?? e.statusCode ??
    (typeof e.response === "object" && e.response !== null
      ? e.response.status
      : undefined);
  return typeof status === "number" && Number.isInteger(status) &&
      status >= 100 && status <= 599
    ? status
    : undefined;
}

function hasCause(error: unknown): boolean {
  return error !== null && typeof error === "object" && "cause" in error &&
    (error as { cause: unknown }).cause !== undefined;
}

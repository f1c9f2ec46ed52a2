/**
 * `retryAfterMs(source, { clock })`: the delay an HTTP `Retry-After` header
 * asks for, in both its forms (delta-seconds and HTTP-date), read from a
 * header value, headers, a response or an error carrying one.
 *
 * @module
 */

import { type Clock, systemClock } from "../core/clock.ts";
import { assertClock, assertOptions } from "../core/_validate.ts";
import { clampDelay } from "./_delay.ts";

/** Options of {@linkcode retryAfterMs}. */
export interface RetryAfterOptions {
  /**
   * The clock whose `dateNow()` is the current wall-clock time for the
   * HTTP-date form. Without it (or when it has no `dateNow`), the time is the
   * response's own `Date` header when present, else `systemClock.dateNow()`.
   *
   * @default {undefined}
   */
  clock?: Clock;
}

/** Where {@linkcode retryAfterMs} may find a `Retry-After` header. */
export type RetryAfterSource =
  | string
  | { get(name: string): string | null | undefined }
  | { headers: unknown }
  | { response: unknown }
  | Record<string, unknown>;

/**
 * Reads a `Retry-After` header and returns the delay it asks for, in
 * milliseconds: `"120"` (delta-seconds) gives 120000; an HTTP-date gives the
 * time left until that date (0 when it is past), measured from
 * `options.clock.dateNow()`, else from the response's own `Date` header
 * (which cancels clock skew between client and server), else from
 * `systemClock.dateNow()`. The result is clamped to what a timer can hold
 * (2^31 - 1 ms).
 *
 * Accepts the header value itself, a `Headers` (or anything with `get`), a
 * `Response` or `Request` (anything with `headers`), an error carrying a
 * `response` (as ky's and axios's do), or a plain record of headers (as Node's
 * `IncomingMessage.headers`), matched case-insensitively.
 *
 * @param source The header value, headers, a response or an error.
 * @param options The clock of the wall-clock time for the HTTP-date form.
 * @returns The delay in ms, or `undefined` when there is no valid header.
 * @throws {TypeError} If `options` is not an options object or `clock` not a
 *   `Clock`.
 *
 * @example Both forms
 * ```ts
 * import { retryAfterMs, systemClock } from "@pledge/core";
 * import assert from "node:assert/strict";
 *
 * const limited = new Response(null, {
 *   status: 429,
 *   headers: { "Retry-After": "3" },
 * });
 * assert.equal(retryAfterMs(limited), 3000);
 *
 * const clock = { ...systemClock, dateNow: () => Date.parse("Wed, 21 Oct 2015 07:28:00 GMT") };
 * assert.equal(retryAfterMs("Wed, 21 Oct 2015 07:28:30 GMT", { clock }), 30_000);
 * assert.equal(retryAfterMs("soon"), undefined);
 * ```
 */
export function retryAfterMs(
  source: RetryAfterSource,
  options?: RetryAfterOptions,
): number | undefined {
  assertOptions("read Retry-After", options);
  const clock = options?.clock;
  assertClock("read Retry-After", clock);
  const value = header(source, "retry-after", 0);
  if (value === undefined) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return clampDelay(Number(text) * 1000);
  const date = httpDate(text);
  if (date === undefined) return undefined;
  let reference = clock?.dateNow?.();
  if (reference === undefined) {
    const served = header(source, "date", 0);
    reference = (served === undefined ? undefined : httpDate(served.trim())) ??
      (systemClock.dateNow as () => number)();
  }
  return clampDelay(date - reference);
}

/** Parses the three HTTP-date forms (each starts with a day name). */
function httpDate(text: string): number | undefined {
  if (!/^[A-Za-z]{3,9},? /.test(text)) return undefined;
  // asctime ("Sun Nov  6 08:49:37 1994") names no zone but means GMT.
  const time = Date.parse(/^[A-Za-z]{3} /.test(text) ? `${text} GMT` : text);
  return Number.isNaN(time) ? undefined : time;
}

function header(
  source: unknown,
  name: string,
  depth: number,
): string | undefined {
  if (typeof source === "string") {
    return name === "retry-after" && depth === 0 ? source : undefined;
  }
  if (source === null || typeof source !== "object" || depth > 2) {
    return undefined;
  }
  const s = source as {
    get?: unknown;
    headers?: unknown;
    response?: unknown;
  };
  if (typeof s.get === "function") {
    const value = (s.get as (name: string) => unknown).call(source, name);
    return typeof value === "string" ? value : undefined;
  }
  if (typeof s.headers === "object" && s.headers !== null) {
    return header(s.headers, name, depth + 1);
  }
  if (typeof s.response === "object" && s.response !== null) {
    return header(s.response, name, depth + 1);
  }
  for (const key of Object.keys(source)) {
    if (key.toLowerCase() !== name) continue;
    let value = (source as Record<string, unknown>)[key];
    if (Array.isArray(value)) value = value[0];
    return typeof value === "string"
      ? value
      : typeof value === "number"
      ? String(value)
      : undefined;
  }
  return undefined;
}

/**
 * The check of a profile given to `new EventLoop({ profile })`: a built-in
 * name, or a profile object whose every field is well formed.
 *
 * @module
 */

import { typeError } from "../core/_validate.ts";
import {
  type LoopPhase,
  type Profile,
  type ProfileName,
  profiles,
} from "./profiles.ts";

const ACTION = "create an EventLoop";

function expect(ok: boolean, option: string, what: string, v: unknown): void {
  if (!ok) typeError(ACTION, `profile.${option}`, what, v);
}

function isNumber(v: unknown, min: number): boolean {
  return typeof v === "number" && v >= min && v !== Infinity;
}

const SOURCES: readonly string[] = [
  "timers",
  "messages",
  "events",
  "abort-timeouts",
  "postTask:user-blocking",
  "postTask:user-visible",
  "postTask:background",
];

// Every entry a source or a non-empty array of sources, none twice.
function taskSourcesOk(entries: unknown[]): boolean {
  const seen = new Set<unknown>();
  for (const entry of entries) {
    const group = Array.isArray(entry) ? entry : [entry];
    if (group.length === 0) return false;
    for (const source of group) {
      if (!SOURCES.includes(source as string) || seen.has(source)) {
        return false;
      }
      seen.add(source);
    }
  }
  return true;
}

/**
 * Resolves a profile name, or checks a profile object's shape and returns it.
 *
 * @throws {TypeError} Naming the first malformed field.
 */
export function resolveProfile(profile: unknown): Profile {
  if (typeof profile === "string") {
    if (Object.hasOwn(profiles, profile)) {
      return profiles[profile as ProfileName];
    }
    typeError(
      ACTION,
      "profile",
      '"html", "node", "deno" or a Profile',
      profile,
    );
  }
  if (profile === null || typeof profile !== "object") {
    typeError(
      ACTION,
      "profile",
      '"html", "node", "deno" or a Profile',
      profile,
    );
  }
  const p = profile as Record<string, unknown>;
  expect(typeof p.name === "string", "name", "a string", p.name);
  expect(
    p.model === "html" || p.model === "phases",
    "model",
    '"html" or "phases"',
    p.model,
  );
  expect(
    p.entry === "cjs" || p.entry === "esm",
    "entry",
    '"cjs" or "esm"',
    p.entry,
  );
  expect(
    isNumber(p.minDelayMs, 0),
    "minDelayMs",
    "a number >= 0",
    p.minDelayMs,
  );
  expect(
    isNumber(p.maxDelayMs, 0),
    "maxDelayMs",
    "a finite number >= 0",
    p.maxDelayMs,
  );
  expect(
    typeof p.truncateDelay === "boolean",
    "truncateDelay",
    "a boolean",
    p.truncateDelay,
  );
  const clamp = p.nestingClamp as Record<string, unknown> | null;
  expect(
    clamp === null ||
      (typeof clamp === "object" && isNumber(clamp.afterLevel, 0) &&
        isNumber(clamp.minMs, 0)),
    "nestingClamp",
    "null or { afterLevel, minMs } with finite numbers >= 0",
    clamp,
  );
  expect(
    isNumber(p.frameIntervalMs, 0) && (p.frameIntervalMs as number) > 0,
    "frameIntervalMs",
    "a finite number > 0",
    p.frameIntervalMs,
  );
  expect(
    Array.isArray(p.phases) &&
      p.phases.every((x) => profiles.node.phases.includes(x as LoopPhase)) &&
      (p.model !== "phases" ||
        (p.phases.includes("timers") && p.phases.includes("poll"))),
    "phases",
    "an array of timers, pending, poll, check, close (with timers and poll for the phases model)",
    p.phases,
  );
  expect(
    Array.isArray(p.taskSources) && taskSourcesOk(p.taskSources),
    "taskSources",
    "an array of task sources and groups (arrays) of them, each source at most once",
    p.taskSources,
  );
  expect(
    ["task-source", "poll", "pending"].includes(p.messageDelivery as string),
    "messageDelivery",
    '"task-source", "poll" or "pending"',
    p.messageDelivery,
  );
  expect(
    ["task-source", "timers", "unref-timers"].includes(
      p.abortTimerSource as string,
    ),
    "abortTimerSource",
    '"task-source", "timers" or "unref-timers"',
    p.abortTimerSource,
  );
  expect(
    ["report", "crash", "crash-unless-prevented"].includes(
      p.uncaught as string,
    ),
    "uncaught",
    '"report", "crash" or "crash-unless-prevented"',
    p.uncaught,
  );
  const apis = p.apis as Record<string, unknown> | null;
  expect(
    apis !== null && typeof apis === "object" &&
      ["setImmediate", "nextTick", "requestAnimationFrame", "postTask"].every(
        (k) => typeof apis[k] === "boolean",
      ),
    "apis",
    "an object of booleans",
    apis,
  );
  expect(
    p.model !== "phases" || !apis!.setImmediate ||
      (p.phases as string[]).includes("check"),
    "phases",
    "a list with check when setImmediate is provided",
    p.phases,
  );
  return profile as Profile;
}

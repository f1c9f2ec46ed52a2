/**
 * A run's result in columns, for the trip from the Web Worker to the page:
 * numbers in typed arrays (transferred, not copied) and repeated strings
 * once in a table, instead of one object per event, output line and
 * scheduled callback. Structured cloning 10,000 small objects costs more
 * than the simulation that made them.
 *
 * @module
 */

import type { TraceEvent } from "./adapter.ts";
import type { ArmRecord, ConsoleLevel, OutputLine } from "./host.ts";
import type { RunResult } from "./run.ts";

/** A {@linkcode RunResult} in columns. */
export interface PackedResult {
  /** The result without its events, output and arms. */
  readonly rest: Omit<RunResult, "events" | "output" | "arms">;
  /** Every distinct string, referenced by index below. */
  readonly strings: string[];
  /** Events: time, enqueuedAt, spentMs (NaN: none). */
  readonly eventTimes: Float64Array;
  /** Events: enqueuedBy (-1: none), and the string indices of lane, queue, label, rule. */
  readonly eventInts: Int32Array;
  /** Output: event, string index of the text, of the level. */
  readonly outputInts: Int32Array;
  /** Arms: armedBy, clearedBy (-1: none), interval, string index of label, of api. */
  readonly armInts: Int32Array;
}

const EVENT_INTS = 5;
const OUTPUT_INTS = 3;
const ARM_INTS = 5;

class Strings {
  readonly list: string[] = [];
  readonly #index = new Map<string, number>();
  of(s: string): number {
    let i = this.#index.get(s);
    if (i === undefined) {
      i = this.list.length;
      this.list.push(s);
      this.#index.set(s, i);
    }
    return i;
  }
}

/** Packs `result` (see the module doc). */
export function packResult(result: RunResult): PackedResult {
  const { events, output, arms, ...rest } = result;
  const strings = new Strings();
  const eventTimes = new Float64Array(events.length * 3);
  const eventInts = new Int32Array(events.length * EVENT_INTS);
  events.forEach((e, i) => {
    eventTimes[i * 3] = e.time;
    eventTimes[i * 3 + 1] = e.enqueuedAt;
    eventTimes[i * 3 + 2] = e.spentMs ?? NaN;
    const o = i * EVENT_INTS;
    eventInts[o] = e.enqueuedBy ?? -1;
    eventInts[o + 1] = strings.of(e.lane);
    eventInts[o + 2] = strings.of(e.queue);
    eventInts[o + 3] = strings.of(e.label);
    eventInts[o + 4] = strings.of(e.rule);
  });
  const outputInts = new Int32Array(output.length * OUTPUT_INTS);
  output.forEach((l, i) => {
    const o = i * OUTPUT_INTS;
    outputInts[o] = l.event;
    outputInts[o + 1] = strings.of(l.text);
    outputInts[o + 2] = strings.of(l.level);
  });
  const armInts = new Int32Array(arms.length * ARM_INTS);
  arms.forEach((a, i) => {
    const o = i * ARM_INTS;
    armInts[o] = a.armedBy;
    armInts[o + 1] = a.clearedBy ?? -1;
    armInts[o + 2] = a.interval ? 1 : 0;
    armInts[o + 3] = strings.of(a.label);
    armInts[o + 4] = strings.of(a.api);
  });
  return {
    rest,
    strings: strings.list,
    eventTimes,
    eventInts,
    outputInts,
    armInts,
  };
}

/** The buffers of `packed`, to transfer with `postMessage`. */
export function transferables(packed: PackedResult): ArrayBuffer[] {
  return [
    packed.eventTimes.buffer as ArrayBuffer,
    packed.eventInts.buffer as ArrayBuffer,
    packed.outputInts.buffer as ArrayBuffer,
    packed.armInts.buffer as ArrayBuffer,
  ];
}

/** Unpacks what {@linkcode packResult} packed. */
export function unpackResult(packed: PackedResult): RunResult {
  const s = packed.strings;
  const events: TraceEvent[] = [];
  const n = packed.eventInts.length / EVENT_INTS;
  for (let i = 0; i < n; i++) {
    const o = i * EVENT_INTS;
    const by = packed.eventInts[o]!;
    const spent = packed.eventTimes[i * 3 + 2]!;
    events.push({
      id: i + 1,
      time: packed.eventTimes[i * 3]!,
      lane: s[packed.eventInts[o + 1]!] as TraceEvent["lane"],
      queue: s[packed.eventInts[o + 2]!]!,
      label: s[packed.eventInts[o + 3]!]!,
      enqueuedBy: by < 0 ? undefined : by,
      rule: s[packed.eventInts[o + 4]!]!,
      enqueuedAt: packed.eventTimes[i * 3 + 1]!,
      ...(Number.isNaN(spent) ? {} : { spentMs: spent }),
    });
  }
  const output: OutputLine[] = [];
  for (let o = 0; o < packed.outputInts.length; o += OUTPUT_INTS) {
    output.push({
      event: packed.outputInts[o]!,
      text: s[packed.outputInts[o + 1]!]!,
      level: s[packed.outputInts[o + 2]!] as ConsoleLevel,
    });
  }
  const arms: ArmRecord[] = [];
  for (let o = 0; o < packed.armInts.length; o += ARM_INTS) {
    const cleared = packed.armInts[o + 1]!;
    arms.push({
      armedBy: packed.armInts[o]!,
      ...(cleared < 0 ? {} : { clearedBy: cleared }),
      interval: packed.armInts[o + 2] === 1,
      label: s[packed.armInts[o + 3]!]!,
      api: s[packed.armInts[o + 4]!]!,
    });
  }
  return { ...packed.rest, events, output, arms };
}

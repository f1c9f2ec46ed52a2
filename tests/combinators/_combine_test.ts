import assert from "node:assert/strict";
import fc from "fast-check";
import {
  all,
  allSettled,
  any,
  anyWithWinner,
  Future,
  race,
  raceWithWinner,
} from "@pledge/core";
import {
  earlyRace,
  failsReading,
  inputArb,
  observe,
  shapeArb,
} from "./_native.ts";

type Combinator = (values: Iterable<unknown>) => PromiseLike<unknown>;

const PAIRS: [string, Combinator, Combinator][] = [
  ["all", all as Combinator, (v) => Promise.all(v)],
  ["allSettled", allSettled as Combinator, (v) => Promise.allSettled(v)],
  ["any", any as Combinator, (v) => Promise.any(v)],
  ["race", race as Combinator, (v) => Promise.race(v)],
];

/** Runs of each property comparing a combinator with the native one. */
const RUNS = 1000;

for (const [name, ours, native] of PAIRS) {
  Deno.test(`${name}() property: same outcome, values, reasons, reads and settling turn as Promise.${name}()`, async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(inputArb, { maxLength: 8 }),
        shapeArb,
        async (inputs, shape) => {
          const expected = await observe(native, inputs, shape);
          const actual = await observe(ours, inputs, shape);
          assert.notEqual(actual.status, "threw");
          const { thenReads, ...calls } = actual.reads;
          const { thenReads: expectedReads, ...expectedCalls } = expected.reads;
          assert.deepEqual(calls, expectedCalls, "calls");
          if (name === "race") {
            if (inputs.length === 0 && !failsReading(shape, 0)) {
              assert.equal(actual.status, "rejected");
              assert.deepEqual(actual.value, { name: "RangeError" });
              return;
            }
            const early = earlyRace(inputs, shape);
            if (early !== undefined) {
              const kind = inputs[early]!.kind;
              if (kind === "thenGetterThrows") {
                assert.deepEqual([actual.status, actual.value], [
                  "rejected",
                  `g${early}`,
                ]);
              } else {
                assert.equal(actual.status, "fulfilled");
                const value = actual.value as { token?: string; then?: number };
                if (kind === "value") assert.equal(value, `v${early}`);
                else if (kind === "object") {
                  assert.equal(value.token, `v${early}`);
                } else assert.equal(value.then, 5);
              }
              return;
            }
          }
          // (Where race settles early, resolving with the winner reads its
          // `then` once more, as native resolving does with its winner.)
          assert.deepEqual(thenReads, expectedReads, "reads of then");
          assert.equal(actual.status, expected.status, "status");
          assert.deepEqual(actual.value, expected.value, "value or reason");
          assert.equal(actual.turn, expected.turn, "settling turn");
        },
      ),
      { numRuns: RUNS },
    );
  });
}

const WINNERS: [string, Combinator, Combinator][] = [
  ["raceWithWinner", raceWithWinner as Combinator, (v) => Promise.race(v)],
  ["anyWithWinner", anyWithWinner as Combinator, (v) => Promise.any(v)],
];

for (const [name, ours, native] of WINNERS) {
  Deno.test(`${name}() property: the native outcome, with the index of the input that gave it`, async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(inputArb, { minLength: 1, maxLength: 8 }),
        shapeArb,
        async (inputs, shape) => {
          if (
            name === "raceWithWinner" && earlyRace(inputs, shape) !== undefined
          ) {
            return; // covered by the race() property
          }
          const expected = await observe(native, inputs, shape);
          const actual = await observe(ours, inputs, shape);
          assert.equal(actual.status, expected.status);
          assert.equal(actual.turn, expected.turn);
          if (actual.status !== "fulfilled") {
            assert.deepEqual(actual.value, expected.value);
            return;
          }
          const { key, value } = actual.value as {
            key: number;
            value: unknown;
          };
          assert.deepEqual(value, expected.value);
          // Every input's values are tagged with its index: v<index>[.n].
          const token = typeof value === "string"
            ? value
            : (value as { token?: string }).token;
          if (token !== undefined) {
            assert.equal(key, Number(token.slice(1).split(".")[0]));
          }
        },
      ),
      { numRuns: RUNS / 4 },
    );
  });
}

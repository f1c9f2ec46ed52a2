import assert from "node:assert/strict";
import { type Clock, retryAfterMs, VirtualClock } from "@pledge/core";

Deno.test("retryAfterMs() reads delta-seconds from every kind of source", () => {
  const headers = new Headers({ "Retry-After": "120" });
  assert.equal(retryAfterMs("120"), 120_000);
  assert.equal(retryAfterMs(" 7 "), 7_000);
  assert.equal(retryAfterMs("0"), 0);
  assert.equal(retryAfterMs(headers), 120_000);
  assert.equal(
    retryAfterMs(new Response(null, { status: 503, headers })),
    120_000,
  );
  assert.equal(retryAfterMs({ "retry-after": "3" }), 3_000);
  assert.equal(retryAfterMs({ "Retry-After": ["4", "5"] }), 4_000);
  assert.equal(retryAfterMs({ "retry-after": 6 }), 6_000);
  assert.equal(retryAfterMs({ headers: { "retry-after": "8" } }), 8_000);
  assert.equal(
    retryAfterMs(Object.assign(new Error("429"), {
      response: new Response(null, { status: 429, headers }),
    })),
    120_000,
  );
  assert.equal(retryAfterMs("99999999999"), 2 ** 31 - 1);
});

/** A clock whose wall time is `epochMs` (and that arms no timer). */
function wallClock(epochMs: number): Clock {
  return {
    now: () => 0,
    setTimeout: () => 0,
    clearTimeout: () => {},
    dateNow: () => epochMs,
  };
}

Deno.test("retryAfterMs() reads an HTTP-date against clock.dateNow(), the Date header, or the system's time", () => {
  const now = Date.parse("Wed, 21 Oct 2015 07:28:00 GMT");
  const clock = wallClock(now);
  assert.equal(
    retryAfterMs("Wed, 21 Oct 2015 07:28:30 GMT", { clock }),
    30_000,
  );
  assert.equal(
    retryAfterMs("Wednesday, 21-Oct-15 07:29:00 GMT", { clock }),
    60_000,
  );
  assert.equal(retryAfterMs("Wed Oct 21 07:28:10 2015", { clock }), 10_000);
  assert.equal(retryAfterMs("Wed, 21 Oct 2015 07:27:00 GMT", { clock }), 0);
  const served = new Headers({
    "Retry-After": "Wed, 21 Oct 2015 07:28:45 GMT",
    "Date": "Wed, 21 Oct 2015 07:28:00 GMT",
  });
  assert.equal(retryAfterMs(served), 45_000); // against the server's Date
  assert.equal(retryAfterMs(served, { clock: wallClock(now + 5_000) }), 40_000);
  // A clock without dateNow falls back the same way.
  const bare: Clock = {
    now: () => 0,
    setTimeout: () => 0,
    clearTimeout: () => {},
  };
  assert.equal(retryAfterMs(served, { clock: bare }), 45_000);
  // A VirtualClock's dateNow is its virtual wall time.
  const virtual = new VirtualClock({ startDate: now });
  assert.equal(retryAfterMs(served, { clock: virtual }), 45_000);
  virtual.tick(15_000);
  assert.equal(retryAfterMs(served, { clock: virtual }), 30_000);
  const future = new Date(Date.now() + 3_600_000).toUTCString();
  const fromNow = retryAfterMs(future)!;
  assert.ok(fromNow > 3_500_000 && fromNow <= 3_600_000, `${fromNow}`);
});

Deno.test("retryAfterMs() returns undefined without a valid header", () => {
  for (
    const value of [
      "",
      "soon",
      "-5",
      "1.5",
      "5s",
      "2015-10-21",
      "1e3",
      "Wed, 99 Foo 2015 GMT",
    ]
  ) {
    assert.equal(
      retryAfterMs(value, { clock: wallClock(0) }),
      undefined,
      value,
    );
  }
  assert.equal(retryAfterMs(new Headers()), undefined);
  assert.equal(retryAfterMs(new Response(null)), undefined);
  assert.equal(retryAfterMs({}), undefined);
  assert.equal(retryAfterMs({ "retry-after": null }), undefined);
});

Deno.test("retryAfterMs() throws on bad options", () => {
  const action = "Cannot read Retry-After as";
  assert.throws(() => retryAfterMs("1", { clock: {} as never }), {
    name: "TypeError",
    message:
      `${action} 'clock.now' must be a function: current value is undefined`,
  });
  assert.throws(
    () =>
      retryAfterMs("1", { clock: { ...wallClock(0), dateNow: 5 } as never }),
    {
      name: "TypeError",
      message:
        `${action} 'clock.dateNow' must be a function: current value is 5`,
    },
  );
  assert.throws(() => retryAfterMs("1", { clock: 5 as never }), {
    name: "TypeError",
    message: `${action} 'clock' must be a Clock: current value is 5`,
  });
  assert.throws(() => retryAfterMs("1", 5 as never), TypeError);
  assert.throws(
    () => retryAfterMs("1", new AbortController().signal as never),
    /\(pass \{ signal \}\)$/,
  );
});

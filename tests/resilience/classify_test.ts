import assert from "node:assert/strict";
import {
  Classifier,
  classify,
  classifyStatus,
  type Clock,
  type ErrorClass,
  retryAfterMs,
  VirtualClock,
} from "@pledge/core";
import { BAD_NUMBERS } from "../_support.ts";

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error("expected a rejection");
}

/** A loopback port nobody listens on: bound, then closed. */
function closedPort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

Deno.test("classify() recognises real runtime errors", async () => {
  const aborted = new AbortController();
  aborted.abort();
  const table: [string, unknown, ErrorClass][] = [];
  table.push(["aborted signal reason", aborted.signal.reason, "cancelled"]);

  const timedOut = AbortSignal.timeout(0);
  await new Promise((resolve) =>
    timedOut.addEventListener("abort", resolve, { once: true })
  );
  table.push(["AbortSignal.timeout reason", timedOut.reason, "timeout"]);

  const refused = await rejection(fetch(`http://127.0.0.1:${closedPort()}/`));
  table.push(["fetch to a closed loopback port", refused, "transient"]);

  const blocked = await rejection(fetch("http://127.0.0.1:9/"));
  table.push(["fetch to a blocked port (a bug)", blocked, "permanent"]);

  const abortFetch = new AbortController();
  const pending = fetch(`http://127.0.0.1:${closedPort()}/`, {
    signal: abortFetch.signal,
  });
  abortFetch.abort();
  table.push(["aborted fetch", await rejection(pending), "cancelled"]);

  const connect = await rejection(
    Deno.connect({ hostname: "127.0.0.1", port: closedPort() }),
  );
  table.push(["Deno.connect refused", connect, "transient"]);

  table.push([
    "a bug",
    // deno-lint-ignore require-await
    await rejection((async () => (null as unknown as () => void)())()),
    "permanent",
  ]);
  table.push([
    "JSON",
    // deno-lint-ignore require-await
    await rejection((async () => JSON.parse("{"))()),
    "permanent",
  ]);

  for (const [what, error, expected] of table) {
    assert.equal(classify(error), expected, `${what}: ${String(error)}`);
  }
  const refusedError = refused as TypeError;
  assert.equal(refusedError.name, "TypeError"); // the shape the rule relies on
});

Deno.test("classify() recognises network failures as each runtime words them", () => {
  const cause = (code: string) => Object.assign(new Error(code), { code });
  const table: [unknown, ErrorClass][] = [
    [new TypeError("Failed to fetch"), "transient"], // Chromium
    [
      new TypeError("NetworkError when attempting to fetch resource."),
      "transient",
    ], // Firefox
    [new TypeError("Load failed"), "transient"], // Safari
    [new TypeError("The network connection was lost."), "transient"], // Safari
    [
      new TypeError("The Internet connection appears to be offline."),
      "transient",
    ],
    [new TypeError("Network request failed"), "transient"],
    [
      new TypeError(
        "error sending request for url (http://x/): client error (Connect)",
      ),
      "transient",
    ], // Deno 1
    [
      new TypeError("fetch failed", { cause: cause("ECONNREFUSED") }),
      "transient",
    ], // undici
    [
      new TypeError("fetch failed", { cause: cause("ECONNRESET") }),
      "transient",
    ],
    [new TypeError("fetch failed", { cause: cause("ENOTFOUND") }), "transient"],
    [new TypeError("fetch failed", { cause: cause("EAI_AGAIN") }), "transient"],
    [new TypeError("fetch failed", { cause: cause("ETIMEDOUT") }), "timeout"],
    [
      new TypeError("fetch failed", {
        cause: cause("UND_ERR_CONNECT_TIMEOUT"),
      }),
      "timeout",
    ],
    [new TypeError("fetch failed"), "transient"],
    [cause("ECONNRESET"), "transient"],
    [cause("ETIMEDOUT"), "timeout"],
    [cause("ABORT_ERR"), "cancelled"],
    [cause("ENOENT"), "unknown"],
    [new Deno.errors.ConnectionReset("reset"), "transient"],
    [new Deno.errors.TimedOut("slow"), "timeout"],
    [new DOMException("offline", "NetworkError"), "transient"],
    [new TypeError("Failed to fetch!"), "permanent"],
    [new TypeError("undefined is not a function"), "permanent"],
    [new RangeError("x"), "permanent"],
    [new ReferenceError("x"), "permanent"],
    [new Error("Failed to fetch"), "unknown"], // only a TypeError counts
  ];
  for (const [error, expected] of table) {
    assert.equal(classify(error), expected, String(error));
  }
});

Deno.test("classifyStatus() and classify() map HTTP statuses", () => {
  const table: [number, ErrorClass][] = [
    [408, "timeout"],
    [429, "rate-limited"],
    [425, "transient"],
    [500, "transient"],
    [502, "transient"],
    [503, "transient"],
    [504, "transient"],
    [400, "permanent"],
    [401, "permanent"],
    [404, "permanent"],
    [422, "permanent"],
    [501, "unknown"],
    [505, "unknown"],
    [200, "unknown"],
    [304, "unknown"],
  ];
  for (const [status, expected] of table) {
    assert.equal(classifyStatus(status), expected, `${status}`);
    assert.equal(
      classify(new Response(null, { status: status === 304 ? 304 : status })),
      expected,
      `Response ${status}`,
    );
    assert.equal(classify({ status }), expected, `status ${status}`);
    assert.equal(classify({ statusCode: status }), expected);
    assert.equal(
      classify(Object.assign(new Error("http"), { response: { status } })),
      expected,
    );
  }
  assert.equal(classify({ status: "503" }), "unknown");
  assert.equal(classify({ status: 503.5 }), "unknown");
  assert.equal(classify({ status: 42 }), "unknown");
});

Deno.test("classifyStatus() throws on a status that is not an HTTP status", () => {
  for (const value of [...BAD_NUMBERS, 99, 600, 42.5, -404]) {
    assert.throws(() => classifyStatus(value), {
      name: "RangeError",
      message:
        `Cannot classify a status as 'status' must be an integer from 100 to 599: current value is ${value}`,
    });
  }
  for (const value of ["abc", "503", undefined, null]) {
    assert.throws(() => classifyStatus(value as never), {
      name: "TypeError",
      message: new RegExp(
        "^Cannot classify a status as 'status' must be a number: current value is ",
      ),
    });
  }
  assert.equal(classifyStatus(100), "unknown");
  assert.equal(classifyStatus(599), "unknown");
});

Deno.test("classify() follows cause through wrappers, up to a depth", () => {
  const inner = new DOMException("late", "TimeoutError");
  assert.equal(classify(new Error("wrapped", { cause: inner })), "timeout");
  let deep: unknown = { status: 503 };
  for (let i = 0; i < 4; i++) deep = new Error(`level ${i}`, { cause: deep });
  assert.equal(classify(deep), "transient");
  deep = new Error("level 4", { cause: deep });
  assert.equal(classify(deep), "unknown");
  assert.equal(
    classify(new Error("no cause", { cause: undefined })),
    "unknown",
  );
});

Deno.test("classify() answers unknown for values that are not errors", () => {
  for (const value of [undefined, null, 0, "AbortError", Symbol("x"), {}, []]) {
    assert.equal(classify(value), "unknown");
  }
});

Deno.test("Classifier.use() rules run first, in order, before the built-ins", () => {
  const seen: string[] = [];
  const classifier = new Classifier()
    .use((e) => (seen.push("first"), e === "a" ? "permanent" : undefined))
    .use((
      e,
    ) => (seen.push("second"),
      e === "a" || e === "b" ? "transient" : undefined)
    )
    .use(() => (seen.push("third"), undefined));
  assert.equal(classifier.classify("a"), "permanent");
  assert.deepEqual(seen, ["first"]);
  assert.equal(classifier.classify("b"), "transient");
  assert.equal(
    classifier.classify(new Response(null, { status: 429 })),
    "rate-limited",
  );
  const override = new Classifier().use((e) =>
    e instanceof TypeError ? "transient" : undefined
  );
  assert.equal(override.classify(new TypeError("bug")), "transient");
});

Deno.test("new Classifier({ builtIns: false }) knows only its own rules", () => {
  const bare = new Classifier({ builtIns: false });
  assert.equal(bare.classify(new DOMException("x", "AbortError")), "unknown");
  bare.use((e) =>
    (e as Error)?.name === "AbortError" ? "transient" : undefined
  );
  assert.equal(bare.classify(new DOMException("x", "AbortError")), "transient");
});

Deno.test("Classifier rejects bad rules and options", () => {
  assert.throws(() => new Classifier().use("x" as never), {
    name: "TypeError",
    message:
      `Cannot add a classifier rule as 'rule' must be a function: current value is "x"`,
  });
  assert.throws(() => new Classifier({ builtIns: 1 as never }), {
    name: "TypeError",
    message:
      "Cannot create a Classifier as 'builtIns' must be a boolean: current value is 1",
  });
  assert.throws(() => new Classifier(null as never), TypeError);
  const broken = new Classifier().use(() => "flaky" as ErrorClass);
  assert.throws(() => broken.classify(new Error()), {
    name: "TypeError",
    message:
      `Cannot classify an error as 'rules[0]()' must be one of "transient", "permanent", "timeout", "cancelled", "rate-limited", "unknown" or undefined: current value is "flaky"`,
  });
});

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
  // A clock without dateNow (a VirtualClock today) falls back the same way.
  assert.equal(retryAfterMs(served, { clock: new VirtualClock() }), 45_000);
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

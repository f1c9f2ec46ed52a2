import assert from "node:assert/strict";
import {
  Classifier,
  classify,
  classifyStatus,
  type ErrorClass,
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

/**
 * The playground's starter snippets: plain JavaScript that runs unmodified in
 * a browser, Node (as CommonJS or as an ES module) and Deno. Each one prints
 * an order; scripts/site_record.ts records what the real runtimes print, and
 * the Chromium test compares the page with those recordings.
 *
 * Where a snippet uses an API that one runtime lacks, it checks with
 * `typeof` first, so that every snippet prints something everywhere (a
 * runtime that stops at a missing API at top level prints only the error).
 *
 * @module
 */

/** A starter snippet. */
export interface Snippet {
  /** A URL-safe id. */
  readonly id: string;
  /** The title in the snippet menu. */
  readonly title: string;
  /** What it teaches, one or two sentences. */
  readonly about: string;
  /** The profiles to show it under when it is picked from the menu. */
  readonly profiles: readonly [string] | readonly [string, string];
  /** The code. */
  readonly code: string;
}

const js = (strings: TemplateStringsArray): string =>
  strings.raw[0]!.replace(/^\n/, "");

/** The starter snippets, in menu order. */
export const SNIPPETS: readonly Snippet[] = [
  {
    id: "micro-macro",
    title: "Microtasks, macrotasks and frames",
    about:
      "The script runs to the end, then every microtask, then one macrotask (with its own microtasks), then a rendering step where there is one.",
    profiles: ["html", "node"],
    code: js`
console.log("1. script start");

setTimeout(() => {
  console.log("5. macrotask: setTimeout(0)");
  Promise.resolve().then(() => console.log("6. microtask queued by the macrotask"));
  if (typeof requestAnimationFrame === "function") {
    requestAnimationFrame(() => console.log("7. animation frame"));
  }
}, 0);

Promise.resolve().then(() => console.log("3. microtask: promise reaction"));
queueMicrotask(() => console.log("4. microtask: queueMicrotask"));

setTimeout(() => console.log("8. macrotask: setTimeout(100)"), 100);

console.log("2. script end");
`,
  },
  {
    id: "3-2-1",
    title: "The 3-2-1 puzzle",
    about:
      "A 0 ms timer, a resolved promise and a log: guess the order before you run it.",
    profiles: ["html"],
    code: js`
setTimeout(() => console.log("1"), 0);
Promise.resolve().then(() => console.log("2"));
console.log("3");
`,
  },
  {
    id: "next-tick",
    title: "process.nextTick against promises (CommonJS and ES modules)",
    about:
      "Node drains the nextTick queue before promise jobs, except at the top level of an ES module, which is evaluated inside a promise job.",
    profiles: ["node", "node-esm"],
    code: js`
if (typeof process === "undefined") {
  console.log("no process.nextTick in this runtime");
} else {
  Promise.resolve().then(() => console.log("promise.then"));
  queueMicrotask(() => console.log("queueMicrotask"));
  process.nextTick(() => console.log("process.nextTick"));

  setTimeout(() => {
    Promise.resolve().then(() => console.log("in a timer: promise.then"));
    process.nextTick(() => console.log("in a timer: process.nextTick"));
  }, 0);
}
console.log("script end");
`,
  },
  {
    id: "immediate-in-timer",
    title: "setImmediate against setTimeout inside a timer",
    about:
      "Inside a timer callback the check phase (immediates) comes before the next timers phase, so the immediate always wins there.",
    profiles: ["node", "html"],
    code: js`
setTimeout(() => {
  setTimeout(() => console.log("setTimeout(0)"), 0);
  if (typeof setImmediate === "function") {
    setImmediate(() => console.log("setImmediate"));
  } else {
    console.log("no setImmediate in this runtime");
  }
}, 5);
`,
  },
  {
    id: "animation-frames",
    title: "Animation frames",
    about:
      "The callbacks of one frame share a timestamp and a microtask checkpoint runs after each; a callback requested during a frame waits for the next one.",
    profiles: ["html"],
    code: js`
let frameA;
requestAnimationFrame((time) => {
  frameA = time;
  console.log("frame A: first callback");
  Promise.resolve().then(() => console.log("microtask after the first callback"));
  setTimeout(() => console.log("timeout set during frame A"), 0);
  requestAnimationFrame((later) => {
    console.log("frame B, later than frame A: " + (later > frameA));
  });
});
requestAnimationFrame((time) => {
  console.log("frame A: second callback, same timestamp: " + (time === frameA));
});
`,
  },
  {
    id: "blocked-loop",
    title: "A blocked loop",
    about:
      "A busy loop keeps everything else waiting: a timer that fell due during it runs late, after a timer armed later has not yet come due.",
    profiles: ["node", "html"],
    code: js`
const start = Date.now();
setTimeout(() => console.log("timeout 10 ms"), 10);
Promise.resolve().then(() => console.log("then"));
while (Date.now() - start < 50) {
  // busy for 50 ms: nothing else can run
}
setTimeout(() => console.log("timeout 5 ms, armed after the busy loop"), 5);
console.log("script end, 50 ms later");
`,
  },
  {
    id: "retry-backoff",
    title: "A retry with backoff against an interval",
    about:
      "An await-based retry sleeps 150, then 300 ms between attempts while a 100 ms interval ticks: the two interleave by deadline.",
    profiles: ["node", "deno"],
    code: js`
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

let calls = 0;
async function flakyRequest() {
  calls++;
  if (calls < 3) throw new Error("request " + calls + " failed");
  return "request " + calls + " succeeded";
}

async function retry(task, { retries, baseMs }) {
  for (let attempt = 0; ; attempt++) {
    try {
      return await task();
    } catch (error) {
      if (attempt === retries) throw error;
      const waitMs = baseMs * 2 ** attempt;
      console.log(error.message + "; retrying in " + waitMs + " ms");
      await sleep(waitMs);
    }
  }
}

let ticks = 0;
const interval = setInterval(() => console.log("interval tick " + ++ticks), 100);
retry(flakyRequest, { retries: 3, baseMs: 150 }).then((result) => {
  console.log(result);
  clearInterval(interval);
});
`,
  },
  {
    id: "post-task",
    title: "scheduler.postTask priorities",
    about:
      "Prioritized tasks (browsers): user-blocking first, background last; where timers fall among them is the browser's choice.",
    profiles: ["html"],
    code: js`
if (typeof scheduler === "undefined") {
  console.log("no scheduler.postTask in this runtime");
} else {
  scheduler.postTask(() => console.log("background"), { priority: "background" });
  scheduler.postTask(() => console.log("user-visible"));
  scheduler.postTask(() => console.log("user-blocking"), { priority: "user-blocking" });
  setTimeout(() => console.log("setTimeout(0)"), 0);
}
`,
  },
  {
    id: "message-channel",
    title: "MessageChannel against a timer",
    about:
      "A posted message is a task too; each runtime delivers it at its own point of the loop.",
    profiles: ["node", "html"],
    code: js`
const channel = new MessageChannel();
channel.port1.onmessage = (event) => {
  console.log("message: " + event.data);
  channel.port1.close();
};
setTimeout(() => {
  setTimeout(() => console.log("setTimeout(0)"), 0);
  channel.port2.postMessage("hello");
  Promise.resolve().then(() => console.log("then"));
}, 5);
`,
  },
  {
    id: "uncaught-errors",
    title: "A throwing callback and an unhandled rejection",
    about:
      "A browser reports an uncaught error (and a rejection nobody handles) and goes on with the next task; Node and Deno crash at the first one.",
    profiles: ["html", "node"],
    code: js`
setTimeout(() => {
  console.log("timer 1 throws");
  Promise.resolve().then(() => console.log("timer 1's microtask still runs"));
  throw new Error("boom");
}, 0);
setTimeout(() => {
  console.log("timer 2 rejects a promise nobody handles");
  Promise.reject(new Error("nobody handles this"));
  Promise.resolve().then(() => console.log("timer 2's microtask"));
}, 10);
setTimeout(() => console.log("timer 3"), 20);
console.log("script end");
`,
  },
];

/** The snippet with `id`, or undefined. */
export function snippetById(id: string): Snippet | undefined {
  return SNIPPETS.find((s) => s.id === id);
}

/**
 * The browser side of the conformance corpus: programs for the `"html"`
 * profile, written as a classic script for Chromium (`source`, run by
 * scripts/record_html_fixtures.ts in headless Chromium as the playground's
 * native page runs snippets) and against the simulator's API (`sim`). Both
 * log labels; the differential test compares the simulator's log with the
 * recorded one (tests/loop/fixtures/html/<name>.json).
 *
 * They pin the UA choices of the html profile: where timers, messages,
 * `postTask` priorities, `scheduler.yield()` continuations,
 * `AbortSignal.timeout` and the `unhandledrejection` event fall, and what a
 * busy task does to them.
 *
 * @module
 */

import type { EventLoop } from "@pledge/core";

/** One browser program. */
export interface HtmlProgram {
  /** A file-name-safe name. */
  name: string;
  /** What it checks. */
  about: string;
  /** A classic script; `log` is defined by the recorder. */
  source: string;
  /** The same program against the simulator (html profile). */
  sim(loop: EventLoop, log: (label: string) => void): void;
}

const busy = (ms: number) =>
  `{ const s = performance.now(); while (performance.now() - s < ${ms}) {} }`;

export const htmlCorpus: HtmlProgram[] = [
  {
    name: "post_task_and_timers",
    about:
      "user-blocking first, background last; user-visible tasks and 0 ms timers in posting order",
    source: `
scheduler.postTask(() => log("background"), { priority: "background" });
scheduler.postTask(() => log("user-visible"));
scheduler.postTask(() => log("user-blocking"), { priority: "user-blocking" });
setTimeout(() => log("setTimeout(0)"), 0);
scheduler.postTask(() => log("user-visible 2"));
setTimeout(() => log("setTimeout(0) 2"), 0);`,
    sim(loop, log) {
      loop.postTask(() => log("background"), { priority: "background" });
      loop.postTask(() => log("user-visible"));
      loop.postTask(() => log("user-blocking"), { priority: "user-blocking" });
      loop.setTimeout(() => log("setTimeout(0)"), 0);
      loop.postTask(() => log("user-visible 2"));
      loop.setTimeout(() => log("setTimeout(0) 2"), 0);
    },
  },
  {
    name: "posting_order_sources",
    about: "timers, user-visible tasks and messages share one posting order",
    source: `
setTimeout(() => log("setTimeout(0)"), 0);
scheduler.postTask(() => log("user-visible"));
const c = new MessageChannel();
c.port1.onmessage = () => log("message");
c.port2.postMessage(1);
setTimeout(() => log("setTimeout(0) b"), 0);
scheduler.postTask(() => log("user-visible b"));`,
    sim(loop, log) {
      loop.setTimeout(() => log("setTimeout(0)"), 0);
      loop.postTask(() => log("user-visible"));
      const c = loop.messageChannel();
      c.port1.onmessage = () => log("message");
      c.port2.postMessage(1);
      loop.setTimeout(() => log("setTimeout(0) b"), 0);
      loop.postTask(() => log("user-visible b"));
    },
  },
  {
    name: "yield_continuations",
    about:
      "a scheduler.yield() continuation runs after user-blocking tasks but before timers and user-visible tasks posted earlier",
    source: `
setTimeout(() => log("timeout"), 0);
scheduler.postTask(() => log("user-visible task"));
(async () => {
  log("before yield");
  await scheduler.yield();
  log("after yield");
  await scheduler.yield();
  log("after yield 2");
})();
scheduler.postTask(async () => {
  log("background start");
  await scheduler.yield();
  log("background after yield");
}, { priority: "background" });
scheduler.postTask(() => log("blocking"), { priority: "user-blocking" });`,
    sim(loop, log) {
      loop.setTimeout(() => log("timeout"), 0);
      loop.postTask(() => log("user-visible task"));
      loop.async(function* () {
        log("before yield");
        yield loop.yield();
        log("after yield");
        yield loop.yield();
        log("after yield 2");
      })();
      loop.postTask(
        loop.async(function* () {
          log("background start");
          yield loop.yield();
          log("background after yield");
        }),
        { priority: "background" },
      );
      loop.postTask(() => log("blocking"), { priority: "user-blocking" });
    },
  },
  {
    name: "abort_timeout_source",
    about:
      "AbortSignal.timeout has its own task source: at one deadline it runs after the timers",
    source: `
setTimeout(() => log("timeout a"), 20);
AbortSignal.timeout(20).onabort = () => log("abort 1");
setTimeout(() => log("timeout b"), 20);
AbortSignal.timeout(20).onabort = (e) => log("abort 2 " + e.target.reason.name);
setTimeout(() => log("timeout c"), 20);`,
    sim(loop, log) {
      loop.setTimeout(() => log("timeout a"), 20);
      loop.abortSignalTimeout(20).onabort = () => log("abort 1");
      loop.setTimeout(() => log("timeout b"), 20);
      loop.abortSignalTimeout(20).onabort = (e) =>
        log(
          "abort 2 " + ((e.target as AbortSignal).reason as DOMException).name,
        );
      loop.setTimeout(() => log("timeout c"), 20);
    },
  },
  {
    name: "zero_delays_in_posting_order",
    about:
      "AbortSignal.timeout(0), setTimeout(0) and user-visible tasks are queued at once, in posting order",
    source: `
AbortSignal.timeout(0).onabort = () => log("abort 0");
scheduler.postTask(() => log("background"), { priority: "background" });
setTimeout(() => log("timeout 0"), 0);
scheduler.postTask(() => log("user-visible"));
AbortSignal.timeout(0).onabort = () => log("abort 0 b");`,
    sim(loop, log) {
      loop.abortSignalTimeout(0).onabort = () => log("abort 0");
      loop.postTask(() => log("background"), { priority: "background" });
      loop.setTimeout(() => log("timeout 0"), 0);
      loop.postTask(() => log("user-visible"));
      loop.abortSignalTimeout(0).onabort = () => log("abort 0 b");
    },
  },
  {
    name: "delayed_sources_together",
    about:
      "delayed tasks falling due together are queued timers first, then postTask, then AbortSignal.timeout",
    source: `
setTimeout(() => log("timeout 20"), 20);
scheduler.postTask(() => log("postTask delay 20"), { delay: 20 });
setTimeout(() => log("timeout 20 b"), 20);
scheduler.postTask(() => log("background delay 20"), { delay: 20, priority: "background" });
AbortSignal.timeout(20).onabort = () => log("abort 20");`,
    sim(loop, log) {
      loop.setTimeout(() => log("timeout 20"), 20);
      loop.postTask(() => log("postTask delay 20"), { delay: 20 });
      loop.setTimeout(() => log("timeout 20 b"), 20);
      loop.postTask(() => log("background delay 20"), {
        delay: 20,
        priority: "background",
      });
      loop.abortSignalTimeout(20).onabort = () => log("abort 20");
    },
  },
  {
    name: "busy_script_posting_order",
    about:
      "a timer that falls due during a busy script is queued after the tasks the script posted",
    source: `
setTimeout(() => log("timeout 5"), 5);
${busy(30)}
scheduler.postTask(() => log("user-visible posted at 30"));
const c = new MessageChannel();
c.port1.onmessage = () => log("message posted at 30");
c.port2.postMessage(1);
setTimeout(() => log("timeout 0 armed at 30"), 0);`,
    sim(loop, log) {
      loop.setTimeout(() => log("timeout 5"), 5);
      loop.spend(30);
      loop.postTask(() => log("user-visible posted at 30"));
      const c = loop.messageChannel();
      c.port1.onmessage = () => log("message posted at 30");
      c.port2.postMessage(1);
      loop.setTimeout(() => log("timeout 0 armed at 30"), 0);
    },
  },
  {
    name: "message_listeners_and_ports",
    about:
      "one task per message: a checkpoint after each listener, and a port's next message queued after the one delivered",
    source: `
const c = new MessageChannel();
c.port1.addEventListener("message", (e) => {
  log("l1 " + e.data);
  Promise.resolve().then(() => log("micro after l1"));
});
c.port1.addEventListener("message", (e) => log("l2 " + e.data));
c.port1.onmessage = (e) => log("onmessage " + e.data);
c.port2.postMessage("a");
c.port2.postMessage("b");
c.port1.postMessage("to port2");
c.port2.onmessage = (e) => log("port2 got " + e.data);
setTimeout(() => log("timeout"), 0);`,
    sim(loop, log) {
      const c = loop.messageChannel();
      c.port1.addEventListener("message", (e) => {
        log("l1 " + e.data);
        loop.resolved().then(() => log("micro after l1"));
      });
      c.port1.addEventListener("message", (e) => log("l2 " + e.data));
      c.port1.onmessage = (e) => log("onmessage " + e.data);
      c.port2.postMessage("a");
      c.port2.postMessage("b");
      c.port1.postMessage("to port2");
      c.port2.onmessage = (e) => log("port2 got " + e.data);
      loop.setTimeout(() => log("timeout"), 0);
    },
  },
  {
    name: "message_next_task_after_dispatch",
    about:
      "tasks posted while a message is delivered run before the port's next message",
    source: `
const c = new MessageChannel();
c.port1.onmessage = (e) => {
  log("message " + e.data);
  if (e.data === "a") {
    setTimeout(() => log("timeout from a"), 0);
    scheduler.postTask(() => log("task from a"));
    c.port2.postMessage("c");
  }
};
c.port2.postMessage("a");
c.port2.postMessage("b");`,
    sim(loop, log) {
      const c = loop.messageChannel();
      c.port1.onmessage = (e) => {
        log("message " + e.data);
        if (e.data === "a") {
          loop.setTimeout(() => log("timeout from a"), 0);
          loop.postTask(() => log("task from a"));
          c.port2.postMessage("c");
        }
      };
      c.port2.postMessage("a");
      c.port2.postMessage("b");
    },
  },
  {
    name: "message_close_and_start",
    about:
      "close() drops the port's queue and disentangles both ends; addEventListener waits for start()",
    source: `
const c = new MessageChannel();
c.port1.onmessage = (e) => {
  log("port1 got " + e.data);
  if (e.data === "a") c.port1.close();
};
c.port2.onmessage = (e) => log("port2 got " + e.data);
c.port2.postMessage("a");
c.port2.postMessage("b");
c.port1.postMessage("x");
setTimeout(() => {
  c.port2.postMessage("late");
  c.port1.postMessage("late to 2");
  log("timer");
}, 5);
const d = new MessageChannel();
d.port1.addEventListener("message", (e) => log("d listener " + e.data));
d.port2.postMessage("not started");
setTimeout(() => {
  log("start d");
  d.port1.start();
}, 10);`,
    sim(loop, log) {
      const c = loop.messageChannel();
      c.port1.onmessage = (e) => {
        log("port1 got " + e.data);
        if (e.data === "a") c.port1.close();
      };
      c.port2.onmessage = (e) => log("port2 got " + e.data);
      c.port2.postMessage("a");
      c.port2.postMessage("b");
      c.port1.postMessage("x");
      loop.setTimeout(() => {
        c.port2.postMessage("late");
        c.port1.postMessage("late to 2");
        log("timer");
      }, 5);
      const d = loop.messageChannel();
      d.port1.addEventListener("message", (e) => log("d listener " + e.data));
      d.port2.postMessage("not started");
      loop.setTimeout(() => {
        log("start d");
        d.port1.start();
      }, 10);
    },
  },
  {
    name: "errors_and_rejections",
    about:
      "a throwing callback is reported (error event) and the loop goes on; an unhandled rejection is announced in a task after those the script posted",
    source: `
addEventListener("unhandledrejection", (e) => {
  log("unhandledrejection " + e.reason);
  Promise.resolve().then(() => log("micro after event"));
});
addEventListener("error", (e) => log("error event " + e.error.message));
setTimeout(() => log("timeout 0 (before)"), 0);
Promise.reject("r1");
const handledLate = Promise.reject("r2");
Promise.resolve().then(() => log("then"));
setTimeout(() => log("timeout 0 (after)"), 0);
scheduler.postTask(() => log("user-visible task"));
handledLate.catch(() => log("caught r2 in time"));
setTimeout(() => {
  log("t throws");
  Promise.resolve().then(() => log("micro after throw"));
  throw new Error("boom");
}, 10);
setTimeout(() => log("after the throwing timer"), 10);
setTimeout(() => {
  queueMicrotask(() => {
    throw new Error("micro boom");
  });
  queueMicrotask(() => log("next microtask"));
}, 15);`,
    sim(loop, log) {
      loop.onUnhandledRejection((e) => {
        e.preventDefault();
        log("unhandledrejection " + e.error);
        loop.resolved().then(() => log("micro after event"));
      });
      loop.onError((e) => {
        e.preventDefault();
        log("error event " + (e.error as Error).message);
      });
      loop.setTimeout(() => log("timeout 0 (before)"), 0);
      loop.rejected("r1");
      const handledLate = loop.rejected("r2");
      loop.resolved().then(() => log("then"));
      loop.setTimeout(() => log("timeout 0 (after)"), 0);
      loop.postTask(() => log("user-visible task"));
      handledLate.catch(() => log("caught r2 in time"));
      loop.setTimeout(() => {
        log("t throws");
        loop.resolved().then(() => log("micro after throw"));
        throw new Error("boom");
      }, 10);
      loop.setTimeout(() => log("after the throwing timer"), 10);
      loop.setTimeout(() => {
        loop.queueMicrotask(() => {
          throw new Error("micro boom");
        });
        loop.queueMicrotask(() => log("next microtask"));
      }, 15);
    },
  },
  {
    name: "delay_conversion_webidl",
    about:
      "browsers convert delays as a WebIDL long: truncated and wrapped modulo 2^32",
    source: `
setTimeout(() => log("'60'"), "60");
setTimeout(() => log("2 ** 32 + 30"), 2 ** 32 + 30);
setTimeout(() => log("'x'"), "x");
setTimeout(() => log("40.7"), 40.7);
setTimeout(() => log("2 ** 31"), 2 ** 31);
setTimeout(() => log("-5"), -5);`,
    sim(loop, log) {
      loop.setTimeout(() => log("'60'"), "60" as never);
      loop.setTimeout(() => log("2 ** 32 + 30"), 2 ** 32 + 30);
      loop.setTimeout(() => log("'x'"), "x" as never);
      loop.setTimeout(() => log("40.7"), 40.7);
      loop.setTimeout(() => log("2 ** 31"), 2 ** 31);
      loop.setTimeout(() => log("-5"), -5);
    },
  },
];

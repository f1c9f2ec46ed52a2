import { getEventListeners } from "node:events";
import {
  abortable,
  anySignal,
  CancellationTokenSource,
  delay,
  isAbortError,
  timeoutSignal,
  VirtualClock,
} from "../../mod.ts";

/** Shows tokens, linking, aborted delays and the absence of leaks. */
export async function demo(): Promise<void> {
  const clock = new VirtualClock();

  // A per-request source linked to an app-wide one, with a deadline.
  const app = new CancellationTokenSource({ clock });
  const request = new CancellationTokenSource({
    clock,
    parents: [app.token],
  });
  request.cancelAfter(250);
  request.token.register((reason) =>
    console.log(
      `request cancelled at t=${clock.now()} ms:`,
      (reason as DOMException).name,
    )
  );
  const work = delay(1000, { clock, signal: request.token.signal });
  clock.tick(250);
  await work.catch((e) =>
    console.log(
      "delay(1000) rejected with the same reason:",
      e === request.token.reason,
    )
  );
  request[Symbol.dispose]();
  console.log("app still running:", !app.isCancellationRequested);

  // anySignal over an app signal and a timeout; abortable around a promise.
  const shutdown = new AbortController();
  {
    using timeout = timeoutSignal(5000, { clock });
    using signal = anySignal([shutdown.signal, timeout]);
    const never = new Promise<string>(() => {});
    const waiting = abortable(never, signal);
    shutdown.abort();
    await waiting.catch((e) =>
      console.log("abortable() on shutdown: isAbortError =", isAbortError(e))
    );
  }

  // 100,000 linked operations on one long-lived signal, then none left.
  const longLived = new AbortController();
  for (let i = 0; i < 100_000; i++) {
    using op = CancellationTokenSource.linked(longLived.signal, app.token);
    op.token.register(() => {});
  }
  console.log(
    "abort listeners on the long-lived signal after 100,000 linked ops:",
    getEventListeners(longLived.signal, "abort").length,
  );
  await Promise.resolve();
  console.log("virtual timers still pending:", clock.pendingTimers);
}

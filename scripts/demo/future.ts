import { Completer, Future, inlineExecutor, VirtualClock } from "../../mod.ts";

/** Shows a Future produced by a Completer on virtual time. */
export async function demo(): Promise<void> {
  const clock = new VirtualClock();
  const order = new Completer<string>();
  console.log("state before:", order.future.state);
  clock.setTimeout(() => order.resolve("coffee"), 3000);
  const served = order.future.then((drink) => `served ${drink}`);
  console.log(
    "after 3000 virtual ms:",
    await clock.runUntilSettled(served),
    `(t=${clock.now()} ms)`,
  );
  console.log("state after:", order.future.state, "=", order.future.value);

  const slow = new Completer<number>().future;
  const waited = slow.wait({ timeoutMs: 500, clock });
  clock.tick(500);
  await waited.catch((e) =>
    console.log("wait():", (e as Error).name, (e as Error).message)
  );

  const seen: string[] = [];
  Future.resolve(1).via(inlineExecutor).then(() => seen.push("inline"));
  seen.push("sync");
  await Future.resolve();
  console.log("via(inlineExecutor) order:", seen.join(" -> "));
}

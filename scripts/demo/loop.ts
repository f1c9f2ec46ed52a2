import { EventLoop, type ProfileName } from "../../mod.ts";

const SVG = new URL("../out/loop_trace.svg", import.meta.url);

/**
 * The classic puzzle in each profile: a 0 ms timer logs "1", a promise
 * reaction logs "2", sync code logs "3". Every runtime prints 3, 2, 1; the
 * trace says why, and where the profiles differ (Node and Deno run the timer
 * at 1 ms). Then a Node program with nextTick and setImmediate, whose SVG
 * timeline is written to scripts/out/loop_trace.svg; then the blocked loop:
 * a busy script keeps a due timer waiting.
 */
export async function demo(): Promise<void> {
  for (const profile of ["html", "node", "deno"] as ProfileName[]) {
    const loop = new EventLoop({ profile, trace: true });
    const printed: string[] = [];
    const log = (text: string) => () => void printed.push(text);
    loop.runScript(() => {
      loop.setTimeout(loop.label('timer logs "1"', log("1")), 0);
      loop.resolved().then(loop.label('then logs "2"', log("2")));
      log("3")();
    }, 'script logs "3"');
    loop.runAll();
    console.log(`\n[${profile}] prints ${printed.join(", ")}`);
    console.log(loop.trace.toText());
    const [, then, timer] = loop.trace.events;
    console.log(loop.trace.explain(then!.id, timer!.id));
  }

  const loop = new EventLoop({ profile: "node", trace: true });
  loop.runScript(() => {
    loop.setTimeout(
      loop.label("timeout", () => {
        loop.setImmediate(loop.label("immediate", () => {}));
        loop.setTimeout(loop.label("timeout 2", () => {}), 0);
        loop.resolved().then(loop.label("then", () => {}));
        loop.nextTick(loop.label("nextTick", () => {}));
      }),
      5,
    );
  }, "main");
  loop.runAll();
  console.log("\n[node] nextTick, then, immediate, timeout:");
  console.log(loop.trace.toText());
  await Deno.mkdir(new URL(".", SVG), { recursive: true });
  await Deno.writeTextFile(SVG, loop.trace.toSvg());
  console.log(`SVG timeline written to ${SVG.pathname}`);
  blockedLoop();
}

/**
 * The blocked loop, a classic lesson: the script arms a 10 ms timer, queues
 * a promise reaction, then busy-waits 50 ms (`loop.spend(50)` stands for
 * `while (Date.now() - start < 50) {}`) and arms a 5 ms timer. Nothing runs
 * while the script runs: the reaction comes at 50 ms, the 10 ms timer 40 ms
 * late, the 5 ms timer at 55 ms. Node and Chromium agree (both recorded in
 * tests/loop/fixtures).
 */
function blockedLoop(): void {
  for (const profile of ["node", "html"] as ProfileName[]) {
    const loop = new EventLoop({ profile, trace: true });
    const printed: string[] = [];
    const log = (text: string) => () =>
      void printed.push(`${text} at ${loop.now()} ms`);
    loop.runScript(() => {
      loop.setTimeout(loop.label("timeout 10 ms", log("timeout 10 ms")), 10);
      loop.resolved().then(loop.label("then", log("then")));
      loop.spend(50); // while (Date.now() - start < 50) {}
      loop.setTimeout(
        loop.label("timeout 5 ms, armed after", log("timeout 5 ms")),
        5,
      );
    }, "busy script");
    loop.runAll();
    console.log(`\n[${profile}] a blocked loop prints ${printed.join(", ")}`);
    console.log(loop.trace.toText());
    console.log(loop.trace.explain("then", "timeout 10 ms"));
  }
}

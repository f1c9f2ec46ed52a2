/**
 * Helpers of the recording scripts (record_loop_fixtures.ts,
 * record_installed.ts): run a program for real and tally its outputs.
 *
 * @module
 */

/** Runs a command and returns the non-empty lines it printed to stdout. */
export async function runLines(cmd: string, args: string[]): Promise<string[]> {
  const { code, stdout, stderr } = await new Deno.Command(cmd, {
    args,
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).output();
  const text = new TextDecoder();
  if (code !== 0) {
    throw new Error(`${cmd} ${args.join(" ")} failed: ${text.decode(stderr)}`);
  }
  return text.decode(stdout).split("\n").filter((l) => l !== "");
}

/** Runs a command `runs` times; each distinct output with its count, most frequent first. */
export async function tally(
  cmd: string,
  args: string[],
  runs: number,
): Promise<{ count: number; output: string[] }[]> {
  const counts = new Map<string, number>();
  for (let i = 0; i < runs; i++) {
    const key = JSON.stringify(await runLines(cmd, args));
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts].sort((a, b) => b[1] - a[1])
    .map(([key, count]) => ({ count, output: JSON.parse(key) as string[] }));
}

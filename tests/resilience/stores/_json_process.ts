/**
 * A child Deno process driven by JSON lines: each command written to its
 * stdin is answered by one JSON line on its stdout (the fleet test's and the
 * fleet bench's workers).
 *
 * @module
 */

async function* lines(stream: ReadableStream<Uint8Array>) {
  let buffer = "";
  for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
    buffer += chunk;
    let newline: number;
    while ((newline = buffer.indexOf("\n")) >= 0) {
      yield buffer.slice(0, newline);
      buffer = buffer.slice(newline + 1);
    }
  }
}

/** A `deno run -A <flags> <script> <args>` child speaking JSON lines. */
export class JsonProcess {
  readonly #child: Deno.ChildProcess;
  readonly #writer: WritableStreamDefaultWriter<Uint8Array>;
  readonly #lines: AsyncIterator<string>;

  constructor(script: string, args: string[], flags: string[] = []) {
    this.#child = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", ...flags, script, ...args],
      stdin: "piped",
      stdout: "piped",
      stderr: "inherit",
    }).spawn();
    this.#writer = this.#child.stdin.getWriter();
    this.#lines = lines(this.#child.stdout)[Symbol.asyncIterator]();
  }

  /** The next line, parsed. */
  async next(): Promise<Record<string, unknown>> {
    const line = await this.#lines.next();
    if (line.done) throw new Error("the process exited");
    return JSON.parse(line.value);
  }

  /** Writes a command and reads its answer. */
  async send(
    command: Record<string, unknown>,
  ): Promise<Record<string, unknown>> {
    await this.#writer.write(
      new TextEncoder().encode(JSON.stringify(command) + "\n"),
    );
    return this.next();
  }

  /** Sends `command` (without waiting for an answer) and waits for exit. */
  async exit(command: Record<string, unknown>): Promise<Deno.CommandStatus> {
    await this.#writer.write(
      new TextEncoder().encode(JSON.stringify(command) + "\n"),
    ).catch(() => {});
    await this.#writer.close().catch(() => {});
    // Drain what is left, so the pipe closes.
    for (;;) {
      const line = await this.#lines.next().catch(() => ({ done: true }));
      if (line.done) break;
    }
    return await this.#child.status;
  }

  /** Kills the process at once (from an unload handler). */
  kill(): void {
    try {
      this.#child.kill("SIGKILL");
    } catch {
      // already gone
    }
  }
}

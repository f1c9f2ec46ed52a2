/**
 * A Redis server of the tests' own: `redis-server` (Debian's package, which
 * `.ci/run` installs when missing) on a free loopback port, with no
 * persistence, stopped by `[Symbol.asyncDispose]`. `REDIS_SERVER` is the
 * binary, or `undefined` when it is not installed (the tests that need it
 * are then ignored, with a message).
 *
 * @module
 */

function which(name: string): string | undefined {
  for (const dir of (Deno.env.get("PATH") ?? "").split(":")) {
    try {
      const path = `${dir}/${name}`;
      if (Deno.statSync(path).isFile) return path;
    } catch {
      // not in this directory
    }
  }
  return undefined;
}

/** The `redis-server` binary, if installed. */
export const REDIS_SERVER: string | undefined = which("redis-server");

if (REDIS_SERVER === undefined) {
  console.warn(
    "redis-server is not installed: the Redis tests are skipped (apt-get install redis-server)",
  );
}

/** A free TCP port on 127.0.0.1. */
export function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

/** A running server. */
export interface RedisServer extends AsyncDisposable {
  /** Its port on 127.0.0.1. */
  readonly port: number;
  /** `redis://127.0.0.1:<port>`. */
  readonly url: string;
  /** Stops the server (and waits for its exit). */
  stop(): Promise<void>;
  /** Starts it again on the same port, empty. */
  start(): Promise<void>;
}

async function waitForPort(port: number, child: Deno.ChildProcess) {
  // The server's own start-up time: polled every 5 ms, 10 s at most.
  for (let i = 0; i < 2000; i++) {
    try {
      const conn = await Deno.connect({ hostname: "127.0.0.1", port });
      conn.close();
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 5));
    }
  }
  child.kill();
  await child.status;
  throw new Error(`redis-server did not start on port ${port}`);
}

/** Starts a server on a free port. */
export async function startRedis(port = freePort()): Promise<RedisServer> {
  if (REDIS_SERVER === undefined) throw new Error("redis-server is missing");
  let child: Deno.ChildProcess | undefined;
  const start = async () => {
    child = new Deno.Command(REDIS_SERVER, {
      args: [
        "--port",
        String(port),
        "--bind",
        "127.0.0.1",
        "--save",
        "",
        "--appendonly",
        "no",
      ],
      stdout: "null",
      stderr: "null",
    }).spawn();
    await waitForPort(port, child);
  };
  const stop = async () => {
    if (child === undefined) return;
    const running = child;
    child = undefined;
    running.kill("SIGKILL");
    await running.status;
  };
  await start();
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    stop,
    start,
    [Symbol.asyncDispose]: stop,
  };
}

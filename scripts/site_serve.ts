/**
 * `deno task site:serve`: serves the built playground (site/dist/) on
 * 127.0.0.1, for a browser on this machine. Build it first with
 * `deno task site`.
 *
 * Usage: `deno task site:serve [--port 8000] [--dir site/dist]`
 *
 * @module
 */

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".svg": "image/svg+xml",
  ".png": "image/png",
};

/** Options of {@linkcode serveSite}. */
export interface ServeSiteOptions {
  /** The directory to serve. */
  dir: string | URL;
  /** The port; 0 picks a free one. */
  port: number;
  /** Called once listening. */
  onListen?: (addr: Deno.NetAddr) => void;
}

/** Serves the files of `dir` (nothing outside it) on 127.0.0.1. */
export function serveSite(
  options: ServeSiteOptions,
): Deno.HttpServer<Deno.NetAddr> {
  const root = typeof options.dir === "string"
    ? new URL(
      options.dir.endsWith("/") ? options.dir : `${options.dir}/`,
      `file://${Deno.cwd()}/`,
    )
    : options.dir;
  return Deno.serve({
    hostname: "127.0.0.1",
    port: options.port,
    onListen: options.onListen ?? (() => {}),
  }, async (req) => {
    const path = decodeURIComponent(new URL(req.url).pathname);
    const rel = path === "/" ? "index.html" : path.slice(1);
    if (rel.split("/").some((part) => part === ".." || part === "")) {
      return new Response("not found", { status: 404 });
    }
    try {
      const file = new URL(rel, root);
      const data = await Deno.readFile(file);
      const ext = rel.slice(rel.lastIndexOf("."));
      return new Response(data, {
        headers: {
          "content-type": TYPES[ext] ?? "application/octet-stream",
          "cache-control": "no-store",
        },
      });
    } catch {
      return new Response("not found", { status: 404 });
    }
  });
}

if (import.meta.main) {
  const arg = (name: string, fallback: string) => {
    const i = Deno.args.indexOf(name);
    return i >= 0 ? Deno.args[i + 1]! : fallback;
  };
  const dir = arg("--dir", "site/dist");
  try {
    await Deno.stat(`${dir}/index.html`);
  } catch {
    console.error(`${dir}/index.html is missing: run \`deno task site\` first`);
    Deno.exit(1);
  }
  serveSite({
    dir,
    port: Number(arg("--port", "8000")),
    onListen: ({ port }) =>
      console.log(`event-loop playground: http://127.0.0.1:${port}/`),
  });
}

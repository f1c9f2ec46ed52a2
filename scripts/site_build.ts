/**
 * `deno task site`: builds the event-loop playground into site/dist/, a
 * static site that works from the built files alone (served, or opened as a
 * file): index.html, native.html, style.css, app.js (the page) and
 * worker_source.js (the Web Worker that runs snippets, as a string the page
 * starts from a Blob URL). Type-checks the page first, bundles with
 * `deno bundle` (minified), and prints the size of each file, raw and
 * gzipped (also written to site/dist/sizes.json).
 *
 * Usage: `deno task site [--out <dir>]`
 *
 * @module
 */

const ROOT = new URL("../", import.meta.url);
const SITE = new URL("site/", ROOT);
const STATIC = ["index.html", "native.html", "style.css"];

/** The size of a built file, raw and gzipped. */
export interface FileSize {
  /** The file name. */
  file: string;
  /** Bytes. */
  bytes: number;
  /** Bytes after gzip. */
  gzip: number;
}

async function gzipSize(data: Uint8Array): Promise<number> {
  const stream = new Blob([data as BlobPart]).stream().pipeThrough(
    new CompressionStream("gzip"),
  );
  return (await new Response(stream).arrayBuffer()).byteLength;
}

async function deno(args: string[]): Promise<void> {
  const { code, stderr } = await new Deno.Command(Deno.execPath(), {
    args,
    cwd: ROOT,
    stdout: "null",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).output();
  if (code !== 0) {
    throw new Error(
      `deno ${args.join(" ")} failed:\n${new TextDecoder().decode(stderr)}`,
    );
  }
}

async function bundle(entry: string, out: string): Promise<string> {
  await deno([
    "bundle",
    "--quiet",
    "--platform",
    "browser",
    "--format",
    "iife",
    "--minify",
    "--output",
    out,
    entry,
  ]);
  return await Deno.readTextFile(out);
}

/**
 * Builds the site into `outDir`.
 *
 * @param outDir Where to write (a directory URL or path).
 * @returns The sizes of the files written.
 */
export async function buildSite(
  outDir: string | URL = new URL("dist/", SITE),
): Promise<FileSize[]> {
  const out = typeof outDir === "string"
    ? new URL(
      outDir.endsWith("/") ? outDir : `${outDir}/`,
      `file://${Deno.cwd()}/`,
    )
    : outDir;
  await deno(["check", "--quiet", "site/src/main.ts", "site/src/worker.ts"]);
  await Deno.mkdir(out, { recursive: true });
  const tmp = await Deno.makeTempDir({ prefix: "pledge_site_" });
  try {
    const worker = await bundle("site/src/worker.ts", `${tmp}/worker.js`);
    await Deno.writeTextFile(
      new URL("worker_source.js", out),
      `var PLEDGE_WORKER_SOURCE=${JSON.stringify(worker)};\n`,
    );
    await bundle("site/src/main.ts", new URL("app.js", out).pathname);
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
  for (const file of STATIC) {
    await Deno.copyFile(new URL(file, SITE), new URL(file, out));
  }
  const sizes: FileSize[] = [];
  for (
    const file of [
      "index.html",
      "style.css",
      "app.js",
      "worker_source.js",
      "native.html",
    ]
  ) {
    const data = await Deno.readFile(new URL(file, out));
    sizes.push({ file, bytes: data.byteLength, gzip: await gzipSize(data) });
  }
  await Deno.writeTextFile(
    new URL("sizes.json", out),
    JSON.stringify(sizes, null, 2) + "\n",
  );
  return sizes;
}

/** The size table as text. */
export function sizeTable(sizes: readonly FileSize[]): string {
  const kb = (n: number) => `${(n / 1024).toFixed(1)} KiB`;
  const rows = sizes.map((s) =>
    `  ${s.file.padEnd(18)} ${kb(s.bytes).padStart(10)} ${
      kb(s.gzip).padStart(10)
    } gzip`
  );
  const page = sizes.filter((s) => s.file !== "native.html");
  const total = page.reduce((a, s) => a + s.bytes, 0);
  const gz = page.reduce((a, s) => a + s.gzip, 0);
  rows.push(
    `  ${"page total".padEnd(18)} ${kb(total).padStart(10)} ${
      kb(gz).padStart(10)
    } gzip`,
  );
  return rows.join("\n");
}

if (import.meta.main) {
  const i = Deno.args.indexOf("--out");
  const sizes = await buildSite(i >= 0 ? Deno.args[i + 1] : undefined);
  console.log(`site built into ${i >= 0 ? Deno.args[i + 1] : "site/dist/"}:`);
  console.log(sizeTable(sizes));
}

/**
 * `deno task smoke:browser`: runs the package smoke test
 * (scripts/npm_tools/smoke.mjs) in headless Chromium against `npm/esm`, the
 * ES modules `deno task build:npm` wrote, served from a loopback server:
 * every `deno.json` entry point loads and exports what it exports in Deno,
 * with one copy of each class.
 *
 * Installs Debian's `chromium` with apt-get when it is missing (as root).
 * Where it cannot be had, prints why and exits 0 with `browser smoke:
 * skipped`; any other failure exits 1.
 *
 * @module
 */

import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const ESM = path.join(ROOT, "npm", "esm");
const SMOKE = path.join(ROOT, "scripts", "npm_tools", "smoke.mjs");
// workers: the WorkerPool smoke test and its task module, served beside,
// and a page of its own (see the workers: block after the main run).
const WORKER_FILES: Record<string, string> = {
  "/workers_smoke.mjs": path.join(ROOT, "scripts/npm_tools/workers_smoke.mjs"),
  "/workers_tasks.mjs": path.join(ROOT, "scripts/npm_tools/workers_tasks.mjs"),
};
const workersPage = `<!doctype html>
<meta charset="utf-8">
<title>pledge WorkerPool smoke test</title>
<pre id="out">pending</pre>
<img src="./workers-hold" alt="">
<script type="module">
const out = document.getElementById("out");
try {
  const m = await import("./esm/mod.js");
  const { smokeWorkers } = await import("./workers_smoke.mjs");
  const tasks = new URL("./workers_tasks.mjs", location.href);
  out.textContent = "BROWSER_OK " + await smokeWorkers(m.WorkerPool, tasks);
} catch (e) {
  out.textContent = "BROWSER_FAIL " + (e && e.stack || e);
}
await fetch("./workers-release");
</script>
`;
// The held responses of /workers-hold: the page's load event (and so the DOM
// dump) waits for them until the page calls /workers-release.
const held: http.ServerResponse[] = [];
const TIMEOUT_MS = 60_000;

function skipped(reason: string): never {
  console.log(`browser smoke: skipped: ${reason}`);
  process.exit(0);
}

function failed(reason: string): never {
  console.log(`browser smoke: FAIL: ${reason}`);
  process.exit(1);
}

function which(cmd: string): string | undefined {
  const r = spawnSync("sh", ["-c", `command -v ${cmd}`], { encoding: "utf8" });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

function findChromium(): string | undefined {
  return which("chromium") ?? which("chromium-browser");
}

function installChromium(): string | undefined {
  if (which("apt-get") === undefined) return undefined;
  if (typeof process.getuid === "function" && process.getuid() !== 0) {
    return undefined;
  }
  const apt = (...args: string[]) =>
    spawnSync("apt-get", args, {
      stdio: ["ignore", "ignore", "inherit"],
      env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
    }).status === 0;
  console.log("browser smoke: installing Debian's chromium (apt-get)");
  if (!apt("install", "-y", "-q", "chromium")) {
    apt("update", "-q");
    apt("install", "-y", "-q", "chromium");
  }
  return findChromium();
}

if (!fs.existsSync(path.join(ESM, "mod.js"))) {
  failed("npm/esm/mod.js is missing: run `deno task build:npm` first");
}
const chromium = findChromium() ?? installChromium() ??
  skipped(
    "no chromium on PATH and `apt-get install -y chromium` was not possible here (needs Debian's apt and root)",
  );

// Entry point -> its export names in Deno, and the URL of its built module.
const denoJson = JSON.parse(
  fs.readFileSync(path.join(ROOT, "deno.json"), "utf8"),
) as { exports: Record<string, string> };
const expected: Record<string, string[]> = {};
const urls: Record<string, string> = {};
for (const [subpath, file] of Object.entries(denoJson.exports)) {
  const m = await import(new URL(`../${file}`, import.meta.url).href);
  expected[subpath] = Object.keys(m).sort();
  urls[subpath] = `./esm/${file.replace(/^\.\//, "").replace(/\.ts$/, ".js")}`;
}
const page = `<!doctype html>
<meta charset="utf-8">
<title>pledge browser smoke test</title>
<pre id="out">pending</pre>
<script type="module">
const out = document.getElementById("out");
try {
  const urls = ${JSON.stringify(urls)};
  const { checkEntryPoints, smoke } = await import("./smoke.mjs");
  const m = await checkEntryPoints(
    (subpath) => import(urls[subpath]),
    ${JSON.stringify(expected)},
    "import",
  );
  const { ran, missing } = await smoke(m);
  const ua = navigator.userAgent.match(/(?:Headless)?Chrome\\/[\\d.]+/)?.[0];
  out.textContent = "BROWSER_OK " + ua + " ran: " + ran.join(", ") +
    (missing.length ? "; not exported yet: " + missing.join(", ") : "");
} catch (e) {
  out.textContent = "BROWSER_FAIL " + (e && e.stack || e);
}
</script>
`;

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".json": "application/json",
};

// Serves the page, smoke.mjs and npm/esm; nothing else.
const server = http.createServer((req, res) => {
  const url = new URL(req.url ?? "/", "http://127.0.0.1");
  let file: string | undefined;
  if (url.pathname === "/" || url.pathname === "/index.html") {
    res.writeHead(200, { "content-type": TYPES[".html"] }).end(page);
    return;
  }
  if (url.pathname === "/smoke.mjs") file = SMOKE;
  // workers: the WorkerPool page and its files.
  else if (WORKER_FILES[url.pathname]) file = WORKER_FILES[url.pathname];
  else if (url.pathname === "/workers.html") {
    res.writeHead(200, { "content-type": TYPES[".html"] }).end(workersPage);
    return;
  } else if (url.pathname === "/workers-hold") {
    held.push(res);
    return;
  } else if (url.pathname === "/workers-release") {
    for (const r of held.splice(0)) r.writeHead(204).end();
    res.writeHead(204).end();
    return;
  } else if (url.pathname.startsWith("/esm/")) {
    const candidate = path.join(ESM, decodeURIComponent(url.pathname.slice(5)));
    if (candidate.startsWith(ESM + path.sep)) file = candidate;
  }
  if (
    file === undefined || !fs.existsSync(file) || !fs.statSync(file).isFile()
  ) {
    res.writeHead(404).end("not found");
    return;
  }
  const type = TYPES[path.extname(file)] ?? "application/octet-stream";
  res.writeHead(200, { "content-type": type }).end(fs.readFileSync(file));
});
await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
const { port } = server.address() as AddressInfo;

const profile = fs.mkdtempSync(path.join(os.tmpdir(), "pledge-chromium-"));
const t0 = performance.now();
const child = spawn(chromium, [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--disable-quic",
  "--no-first-run",
  `--user-data-dir=${profile}`,
  // Lets the page's async module code finish before the DOM is dumped.
  "--virtual-time-budget=10000",
  "--dump-dom",
  `http://127.0.0.1:${port}/index.html`,
], { stdio: ["ignore", "pipe", "pipe"] });
let dom = "";
let stderr = "";
child.stdout.on("data", (d) => (dom += d));
child.stderr.on("data", (d) => (stderr += d));
const killer = setTimeout(() => child.kill("SIGKILL"), TIMEOUT_MS);
const code = await new Promise<number | null>((resolve) => {
  child.on("error", () => resolve(127));
  child.on("close", resolve);
});
clearTimeout(killer);

// workers: a WorkerPool in real browser (module) workers, on a page of its
// own. Workers run in real time, which --virtual-time-budget does not wait
// for (and a request held open to pause virtual time holds the page's tasks
// too), so this page runs without it: an image the server holds open delays
// the load event, and so the DOM dump, until the page has its result.
const workersProfile = fs.mkdtempSync(
  path.join(os.tmpdir(), "pledge-chromium-"),
);
const workersRun = spawn(chromium, [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--no-first-run",
  `--user-data-dir=${workersProfile}`,
  "--dump-dom",
  `http://127.0.0.1:${port}/workers.html`,
], { stdio: ["ignore", "pipe", "ignore"] });
let workersDom = "";
workersRun.stdout.on("data", (d) => (workersDom += d));
const workersKiller = setTimeout(() => workersRun.kill("SIGKILL"), TIMEOUT_MS);
await new Promise((resolve) => {
  workersRun.on("error", resolve);
  workersRun.on("close", resolve);
});
clearTimeout(workersKiller);
for (const r of held.splice(0)) r.writeHead(204).end();
fs.rmSync(workersProfile, { recursive: true, force: true });
const workersText = /<pre id="out">([\s\S]*?)<\/pre>/.exec(workersDom)?.[1]
  ?.trim();
if (!workersText?.startsWith("BROWSER_OK")) {
  server.close();
  failed(`WorkerPool page: ${workersText ?? "no result"}`);
}
console.log(`browser smoke: ok: ${workersText.slice(11)}`);
// workers: end

server.close();
fs.rmSync(profile, { recursive: true, force: true });

const version = spawnSync(chromium, ["--version"], { encoding: "utf8" }).stdout
  ?.trim();
const text = /<pre id="out">([\s\S]*?)<\/pre>/.exec(dom)?.[1]
  ?.replaceAll("&lt;", "<").replaceAll("&gt;", ">").replaceAll("&amp;", "&")
  .trim();
const secs = ((performance.now() - t0) / 1000).toFixed(1);
if (text?.startsWith("BROWSER_OK")) {
  console.log(`browser smoke: ok: ${text.slice(11)} [${version}, ${secs} s]`);
} else {
  failed(
    `${text ?? `no result (chromium exit ${code})`}\n${
      text === undefined ? stderr.slice(-4000) : ""
    }`,
  );
}

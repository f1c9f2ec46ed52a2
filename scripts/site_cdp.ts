/**
 * A small headless-Chromium driver over the DevTools protocol, for the
 * playground's test and benchmark (scripts/site_e2e.ts,
 * scripts/site_bench.ts): launch Debian's `chromium` (installing it with
 * apt-get when it is missing and we are root), open pages, evaluate
 * expressions, send real mouse and keyboard input, take screenshots.
 *
 * @module
 */

import { buildSite, type FileSize } from "./site_build.ts";
import { serveSite } from "./site_serve.ts";

const FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
  "--disable-background-timer-throttling",
  "--disable-renderer-backgrounding",
  "--disable-backgrounding-occluded-windows",
  "--hide-scrollbars",
];

function which(cmd: string): string | undefined {
  const r = new Deno.Command("sh", {
    args: ["-c", `command -v ${cmd}`],
    stdout: "piped",
    stderr: "null",
  }).outputSync();
  const out = new TextDecoder().decode(r.stdout).trim();
  return r.code === 0 && out !== "" ? out : undefined;
}

/**
 * The path of Chromium: on PATH, or installed from Debian's packages when
 * apt-get is there and we are root; undefined when it cannot be had.
 */
export function findChromium(): string | undefined {
  const found = which("chromium") ?? which("chromium-browser");
  if (found !== undefined) return found;
  if (which("apt-get") === undefined || Deno.uid() !== 0) return undefined;
  console.log("installing Debian's chromium (apt-get)");
  const apt = (...args: string[]) =>
    new Deno.Command("apt-get", {
      args,
      stdout: "null",
      stderr: "inherit",
      env: { DEBIAN_FRONTEND: "noninteractive" },
    }).outputSync().code === 0;
  if (!apt("install", "-y", "-q", "chromium")) {
    apt("update", "-q");
    apt("install", "-y", "-q", "chromium");
  }
  return which("chromium") ?? which("chromium-browser");
}

type Listener = (params: Record<string, unknown>, sessionId?: string) => void;

/** A DevTools connection to a browser. */
class Connection {
  readonly #ws: WebSocket;
  #id = 0;
  readonly #calls = new Map<
    number,
    { resolve(v: unknown): void; reject(e: Error): void; method: string }
  >();
  readonly #listeners = new Map<string, Set<Listener>>();

  private constructor(ws: WebSocket) {
    this.#ws = ws;
    ws.onmessage = (event) => {
      const msg = JSON.parse(event.data as string);
      if (msg.id !== undefined) {
        const call = this.#calls.get(msg.id);
        if (call === undefined) return;
        this.#calls.delete(msg.id);
        if (msg.error) {
          call.reject(new Error(`${call.method}: ${msg.error.message}`));
        } else call.resolve(msg.result);
      } else {
        for (const l of this.#listeners.get(msg.method) ?? []) {
          l(msg.params, msg.sessionId);
        }
      }
    };
  }

  static open(url: string): Promise<Connection> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url);
      ws.onopen = () => resolve(new Connection(ws));
      ws.onerror = () => reject(new Error(`cannot connect to ${url}`));
    });
  }

  send<T = Record<string, unknown>>(
    method: string,
    params: Record<string, unknown> = {},
    sessionId?: string,
  ): Promise<T> {
    const id = ++this.#id;
    return new Promise((resolve, reject) => {
      this.#calls.set(id, {
        resolve: resolve as (v: unknown) => void,
        reject,
        method,
      });
      this.#ws.send(JSON.stringify({ id, method, params, sessionId }));
    });
  }

  on(method: string, listener: Listener): () => void {
    let set = this.#listeners.get(method);
    if (set === undefined) this.#listeners.set(method, set = new Set());
    set.add(listener);
    return () => set!.delete(listener);
  }

  close(): void {
    for (const call of this.#calls.values()) {
      call.reject(new Error("the browser connection closed"));
    }
    this.#calls.clear();
    this.#ws.close();
  }
}

/** A page (tab) of the browser. */
export class Page {
  readonly #c: Connection;
  readonly #session: string;
  readonly targetId: string;
  /** Console messages and exceptions of the page, for diagnostics. */
  readonly log: string[] = [];

  constructor(c: Connection, session: string, targetId: string) {
    this.#c = c;
    this.#session = session;
    this.targetId = targetId;
    c.on("Runtime.exceptionThrown", (p, s) => {
      if (s !== session) return;
      const d = p.exceptionDetails as {
        text: string;
        exception?: { description?: string };
      };
      this.log.push(`exception: ${d.exception?.description ?? d.text}`);
    });
    c.on("Runtime.consoleAPICalled", (p, s) => {
      if (s !== session) return;
      const args = (p.args as { value?: unknown; description?: string }[])
        .map((a) => a.value ?? a.description).join(" ");
      this.log.push(`console.${p.type}: ${args}`);
    });
  }

  /** Sends a DevTools command to this page. */
  send<T = Record<string, unknown>>(
    method: string,
    params: Record<string, unknown> = {},
  ): Promise<T> {
    return this.#c.send<T>(method, params, this.#session);
  }

  /** Evaluates `expression` (awaiting a promise) and returns its value. */
  async evaluate<T>(expression: string): Promise<T> {
    const r = await this.send<{
      result: { value?: T };
      exceptionDetails?: { text: string; exception?: { description?: string } };
    }>("Runtime.evaluate", {
      expression,
      awaitPromise: true,
      returnByValue: true,
      userGesture: true,
    });
    if (r.exceptionDetails !== undefined) {
      throw new Error(
        `evaluate failed: ${
          r.exceptionDetails.exception?.description ?? r.exceptionDetails.text
        }\n  in: ${expression.slice(0, 200)}`,
      );
    }
    return r.result.value as T;
  }

  /** Navigates and waits for the load event. */
  async goto(url: string): Promise<void> {
    const loaded = new Promise<void>((resolve) => {
      const off = this.#c.on("Page.loadEventFired", (_, s) => {
        if (s === this.#session) {
          off();
          resolve();
        }
      });
    });
    await this.send("Page.navigate", { url });
    await loaded;
  }

  /** Polls `expression` until it is truthy, or throws after `timeoutMs`. */
  async waitFor(expression: string, timeoutMs = 15_000): Promise<void> {
    const end = Date.now() + timeoutMs;
    while (!(await this.evaluate<boolean>(`Boolean(${expression})`))) {
      if (Date.now() > end) {
        throw new Error(
          `timed out waiting for ${expression}\n${this.log.join("\n")}`,
        );
      }
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  /** Clicks the centre of the first element matching `selector`. */
  async click(selector: string): Promise<void> {
    const box = await this.evaluate<{ x: number; y: number } | null>(`(() => {
      const el = document.querySelector(${JSON.stringify(selector)});
      if (!el) return null;
      el.scrollIntoView({ block: "center", inline: "center" });
      const r = el.getBoundingClientRect();
      return { x: r.left + r.width / 2, y: r.top + r.height / 2 };
    })()`);
    if (box === null) throw new Error(`no element matches ${selector}`);
    for (const type of ["mousePressed", "mouseReleased"]) {
      await this.send("Input.dispatchMouseEvent", {
        type,
        x: box.x,
        y: box.y,
        button: "left",
        clickCount: 1,
      });
    }
  }

  /** Presses a key (with optional modifiers: 1 Alt, 2 Ctrl, 4 Meta, 8 Shift). */
  async press(key: string, modifiers = 0): Promise<void> {
    const codes: Record<string, [string, number]> = {
      ArrowDown: ["ArrowDown", 40],
      ArrowUp: ["ArrowUp", 38],
      ArrowLeft: ["ArrowLeft", 37],
      ArrowRight: ["ArrowRight", 39],
      Home: ["Home", 36],
      End: ["End", 35],
      Enter: ["Enter", 13],
      Escape: ["Escape", 27],
      Tab: ["Tab", 9],
      " ": ["Space", 32],
      "1": ["Digit1", 49],
      "2": ["Digit2", 50],
    };
    const [code, keyCode] = codes[key] ??
      [key, key.toUpperCase().charCodeAt(0)];
    const base = {
      key,
      code,
      modifiers,
      windowsVirtualKeyCode: keyCode,
      nativeVirtualKeyCode: keyCode,
    };
    const text = key.length === 1 && modifiers === 0
      ? key
      : key === "Enter" && modifiers === 0
      ? "\r"
      : undefined;
    await this.send("Input.dispatchKeyEvent", {
      type: text === undefined ? "rawKeyDown" : "keyDown",
      ...base,
      ...(text === undefined ? {} : { text }),
    });
    await this.send("Input.dispatchKeyEvent", { type: "keyUp", ...base });
  }

  /** Types `text` into the focused element. */
  async insertText(text: string): Promise<void> {
    await this.send("Input.insertText", { text });
  }

  /** Writes a PNG screenshot of the page (full height) to `path`. */
  async screenshot(path: string | URL): Promise<void> {
    const metrics = await this.send<
      { cssContentSize: { width: number; height: number } }
    >(
      "Page.getLayoutMetrics",
    );
    const { width, height } = metrics.cssContentSize;
    const r = await this.send<{ data: string }>("Page.captureScreenshot", {
      format: "png",
      captureBeyondViewport: true,
      clip: {
        x: 0,
        y: 0,
        width: Math.ceil(width),
        height: Math.min(Math.ceil(height), 4000),
        scale: 1,
      },
    });
    const bin = atob(r.data);
    await Deno.writeFile(path, Uint8Array.from(bin, (c) => c.charCodeAt(0)));
  }

  /** Closes the page. */
  async close(): Promise<void> {
    await this.#c.send("Target.closeTarget", { targetId: this.targetId });
  }
}

/** A headless Chromium. */
export class Browser {
  readonly #c: Connection;
  readonly #child: Deno.ChildProcess;
  readonly #profile: string;
  /** `chromium --version`. */
  readonly version: string;

  private constructor(
    c: Connection,
    child: Deno.ChildProcess,
    profile: string,
    version: string,
  ) {
    this.#c = c;
    this.#child = child;
    this.#profile = profile;
    this.version = version;
  }

  /** Starts Chromium at `path` with the test flags. */
  static async launch(
    path: string,
    width = 1400,
    height = 1000,
  ): Promise<Browser> {
    const profile = await Deno.makeTempDir({ prefix: "pledge_chromium_" });
    const child = new Deno.Command(path, {
      args: [
        ...FLAGS,
        `--window-size=${width},${height}`,
        "--remote-debugging-port=0",
        `--user-data-dir=${profile}`,
        "about:blank",
      ],
      stdout: "null",
      stderr: "null",
    }).spawn();
    const file = `${profile}/DevToolsActivePort`;
    const end = Date.now() + 30_000;
    let text = "";
    while (Date.now() < end) {
      try {
        text = await Deno.readTextFile(file);
        if (text.includes("\n")) break;
      } catch { /* not yet */ }
      await new Promise((r) => setTimeout(r, 50));
    }
    const [port, path2] = text.trim().split("\n");
    if (port === undefined || path2 === undefined) {
      child.kill("SIGKILL");
      await child.status;
      throw new Error("Chromium did not open its DevTools port");
    }
    const c = await Connection.open(`ws://127.0.0.1:${port}${path2}`);
    const v = await c.send<{ product: string }>("Browser.getVersion");
    return new Browser(c, child, profile, v.product);
  }

  /** Opens a new page at `url` and waits for it to load. */
  async newPage(
    url = "about:blank",
    width = 1400,
    height = 1000,
  ): Promise<Page> {
    const { targetId } = await this.#c.send<{ targetId: string }>(
      "Target.createTarget",
      { url: "about:blank", newWindow: true, width, height },
    );
    const { sessionId } = await this.#c.send<{ sessionId: string }>(
      "Target.attachToTarget",
      { targetId, flatten: true },
    );
    const page = new Page(this.#c, sessionId, targetId);
    await page.send("Page.enable");
    await page.send("Runtime.enable");
    await page.send("Emulation.setDeviceMetricsOverride", {
      width,
      height,
      deviceScaleFactor: 1,
      mobile: false,
    });
    if (url !== "about:blank") await page.goto(url);
    return page;
  }

  /** Closes the browser and removes its profile. */
  async close(): Promise<void> {
    try {
      await this.#c.send("Browser.close");
    } catch { /* already gone */ }
    this.#c.close();
    const done = await Promise.race([
      this.#child.status.then(() => true),
      new Promise<false>((r) => setTimeout(() => r(false), 5000)),
    ]);
    if (!done) {
      this.#child.kill("SIGKILL");
      await this.#child.status;
    }
    await Deno.remove(this.#profile, { recursive: true }).catch(() => {});
  }
}

/** The built playground served on 127.0.0.1, and a browser to open it. */
export interface PlaygroundSession {
  /** The browser. */
  readonly browser: Browser;
  /** The page's address. */
  readonly url: string;
  /** The sizes of the built files. */
  readonly sizes: FileSize[];
  /** Closes the browser and stops the server. */
  close(): Promise<void>;
}

/** Builds the site into `dist`, serves it, and starts Chromium at `chromium`. */
export async function startPlayground(
  chromium: string,
  dist: URL,
): Promise<PlaygroundSession> {
  const sizes = await buildSite(dist);
  let port = 0;
  const server = serveSite({
    dir: dist,
    port: 0,
    onListen: (a) => (port = a.port),
  });
  const browser = await Browser.launch(chromium);
  return {
    browser,
    url: `http://127.0.0.1:${port}/`,
    sizes,
    close: async () => {
      await browser.close();
      await server.shutdown();
    },
  };
}

/**
 * `deno task build:npm [version] [--skip-test] [--node <bin>]...` builds the
 * npm package in `npm/` with the TypeScript compiler (what dnt would build),
 * then runs the unchanged `Deno.test` files and the doc examples under
 * `node --test` against it (`--node` is repeatable; default: `node` on PATH
 * and the Node 22 and 24 binaries pinned in scripts/npm_tools).
 *
 * - Type-checks the library (everything under `src/` plus the `deno.json`
 *   entry points) with `lib: es2022, dom` and no `types`, so a stray `Deno.*`
 *   or Node global fails the build; `isolatedDeclarations` matches JSR's
 *   no-slow-types rule.
 * - Emits ES modules only, in `npm/esm`, each with its `.d.ts` (so every
 *   declaration ships once and every class exists once: Node >= 20.19
 *   `require()`s them through require(esm)). Relative `.ts` specifiers become
 *   `.js` in the JS, in `new URL("./x.ts", import.meta.url)` (modules loaded
 *   by URL, such as a worker bootstrap, are emitted too) and in the `.d.ts`
 *   files. A `.d.ts` that names `Disposable`, `AsyncDisposable` or
 *   `Symbol.dispose` references `esm/_disposable.d.ts`, which declares them
 *   for consumers whose `lib` predates them.
 * - Writes `npm/package.json` from `deno.json`: one `exports` entry per
 *   `deno.json` export, `"sideEffects": false`; copies README.md and LICENSE.
 * - Compiles `tests/` beside the library (not packed), binding `Deno` in each
 *   test file to scripts/npm_tools/deno_test_node.mjs (`Deno.test` from
 *   `@deno/shim-deno-test`, run by `node:test`), mapping bare and `npm:`
 *   specifiers to the packages pinned in `scripts/npm_tools/`.
 * - Turns the code blocks `deno test --doc` runs (JSDoc of the package's
 *   modules, README.md) into test modules (scripts/_doc_examples.ts).
 *
 * Imports only `node:*` modules, the pinned `typescript` and its own helpers.
 *
 * @module
 */

import ts from "typescript";
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import {
  exampleModule,
  exportedNames,
  extractExamples,
} from "./_doc_examples.ts";
import { moduleUrls } from "./npm_tools/module_urls.ts";
import {
  denoBinding,
  fixRelative,
  rewriteDtsSpecifiers,
  rewriteSpecifiers,
} from "./npm_tools/transforms.ts";
import { nodeTestRun, pool } from "./npm_tools/node_test_run.ts";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const OUT = path.join(ROOT, "npm");
const TOOLS = path.join(ROOT, "scripts", "npm_tools");
const SHIM = "_test/deno_test_node.mjs";
const ESM = path.join(OUT, "esm");

/**
 * Test files that cannot run under Node, with the reason (printed). Files
 * using a Deno-only API (`Deno.*` other than `Deno.test`), a `jsr:` or URL
 * import, or an npm package missing from scripts/npm_tools are skipped
 * automatically, also with the reason printed.
 */
const NODE_SKIP: Record<string, string> = {
  // Remove once src/future/future.ts grows its job array without [[Set]]
  // (push and `queue[i] =` on a fresh index run an Array.prototype setter).
  "tests/combinators/_combine_test.ts":
    "its test of Array.prototype setters overflows the stack under Node: the Future trampoline's jobs.push() runs the test's setter, which pushes again (passes under Deno only because the array has grown by then)",
};

/** The package fields deno.json has no place for (dnt's `package` option). */
const PACKAGE_META = {
  keywords: [
    "async",
    "future",
    "promise",
    "cancellation",
    "abortsignal",
    "concurrency",
    "executor",
    "event-loop",
    "virtual-clock",
    "retry",
    "circuit-breaker",
    "deno",
  ],
  // require(esm) without a flag: Node 20.19+, 22.12+, 24.
  engines: { node: "^20.19.0 || >=22.12.0" },
  sideEffects: false,
};

/**
 * The host globals the library may use beyond `lib.es2022` and `lib.dom`:
 * `Symbol.dispose` / `Symbol.asyncDispose` (Node >= 18.18, Bun, Chromium).
 * Deliberately not `lib.esnext.disposable`, whose `DisposableStack` is
 * missing from Node 20 and 22. The same declarations ship as
 * `esm/_disposable.d.ts` (as `@types/node` declares them), so consumers
 * whose `lib` lacks them type-check; they merge with TypeScript's own.
 */
const HOST_GLOBALS_FILE = path.join(ROOT, "__pledge_host_globals.d.ts");
const HOST_GLOBALS =
  `// Declared as TypeScript's lib.esnext.disposable and @types/node do, for
// consumers whose \`lib\` predates them; they merge with those declarations.
interface SymbolConstructor {
  readonly dispose: unique symbol;
  readonly asyncDispose: unique symbol;
}
interface Disposable {
  [Symbol.dispose](): void;
}
interface AsyncDisposable {
  [Symbol.asyncDispose](): PromiseLike<void>;
}
`;
const DISPOSABLE_DTS = "_disposable.d.ts";
const NEEDS_DISPOSABLE =
  /\b(?:Disposable|AsyncDisposable)\b|\bSymbol\.(?:asyncDispose|dispose)\b/;

interface DenoJson {
  name: string;
  version: string;
  license?: string;
  description?: string;
  exports: string | Record<string, string>;
  imports?: Record<string, string>;
  compilerOptions?: Record<string, unknown>;
}

const rel = (file: string): string =>
  path.relative(ROOT, file).split(path.sep).join("/");

function fail(message: string): never {
  console.error(`build_npm: ${message}`);
  process.exit(1);
}

function walk(dir: string, keep: (file: string) => boolean): string[] {
  if (!fs.existsSync(dir)) return [];
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...walk(full, keep));
    else if (keep(full)) out.push(full);
  }
  return out.sort();
}

// ---------------------------------------------------------------- inputs

const deno: DenoJson = JSON.parse(
  fs.readFileSync(path.join(ROOT, "deno.json"), "utf8"),
);
const args = process.argv.slice(2);
const skipTest = args.includes("--skip-test");
/** The Node binaries to test with. */
const nodeBins: string[] = [];
let version = deno.version;
for (let i = 0; i < args.length; i++) {
  const a = args[i]!;
  if (a === "--node") {
    const bin = args[++i] ?? fail("--node needs a path");
    nodeBins.push(bin.includes("/") ? path.resolve(bin) : bin);
  } else if (a === "--skip-test") continue;
  else if (a.startsWith("--")) fail(`unknown option ${a}`);
  else version = a;
}
/** The pinned Node binaries (optional dependencies of scripts/npm_tools). */
const PINNED_NODES = ["node22", "node24"].map((n) =>
  path.join(TOOLS, "node_modules", n, "bin", "node")
);
if (nodeBins.length === 0) nodeBins.push("node", ...PINNED_NODES);
if (!/^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/.test(version)) {
  fail(`'${version}' is not a semver version`);
}

const exportsMap: Record<string, string> = typeof deno.exports === "string"
  ? { ".": deno.exports }
  : deno.exports;
const entries = Object.values(exportsMap).map((p) => path.join(ROOT, p));
const importMap = deno.imports ?? {};
const srcFiles = walk(path.join(ROOT, "src"), (f) => f.endsWith(".ts"));
/**
 * The library is `src/` and the entry points; everything else a test
 * reaches (tests/, their helpers elsewhere, the generated doc examples) is
 * the test side: its bare specifiers are mapped, Deno type-checks it, and it
 * is emitted only to run, never packed.
 */
const library = new Set([...entries, ...srcFiles].map((f) => path.resolve(f)));
const isTestSide = (file: string): boolean =>
  !library.has(path.resolve(ROOT, file));
const testFiles = walk(
  path.join(ROOT, "tests"),
  (f) => f.endsWith("_test.ts"),
);

// --------------------------------------------------- specifiers and graph

interface NpmSpec {
  name: string;
  version: string;
  sub: string;
}

function parseNpm(spec: string): NpmSpec {
  const m = /^npm:\/?((?:@[^/@]+\/)?[^/@]+)(?:@([^/]+))?(\/.*)?$/.exec(spec);
  if (!m) fail(`cannot parse npm specifier '${spec}'`);
  return { name: m[1]!, version: m[2] ?? "", sub: m[3] ?? "" };
}

/** What a specifier refers to, after deno.json's import map. */
type Target =
  | { kind: "file"; file: string }
  | { kind: "npm"; spec: NpmSpec }
  | { kind: "builtin" }
  | { kind: "unsupported"; spec: string };

function resolveSpecifier(spec: string, from: string): Target {
  if (spec.startsWith("./") || spec.startsWith("../")) {
    return { kind: "file", file: path.resolve(path.dirname(from), spec) };
  }
  if (spec.startsWith("node:")) return { kind: "builtin" };
  if (spec.startsWith("npm:")) return { kind: "npm", spec: parseNpm(spec) };
  let mapped = importMap[spec];
  if (mapped === undefined) {
    const prefix = Object.keys(importMap)
      .filter((k) => k.endsWith("/") && spec.startsWith(k))
      .sort((a, b) => b.length - a.length)[0];
    if (prefix !== undefined) {
      mapped = importMap[prefix] + spec.slice(prefix.length);
    }
  }
  if (mapped === undefined) return { kind: "unsupported", spec };
  if (mapped.startsWith("./") || mapped.startsWith("../")) {
    return { kind: "file", file: path.resolve(ROOT, mapped) };
  }
  if (mapped.startsWith("npm:")) return { kind: "npm", spec: parseNpm(mapped) };
  if (mapped.startsWith("node:")) return { kind: "builtin" };
  return { kind: "unsupported", spec: `${spec} (${mapped})` };
}

/** Generated test modules (doc examples), by absolute path. */
const virtual = new Map<string, string>();
const readSource = (file: string): string =>
  virtual.get(file) ?? fs.readFileSync(file, "utf8");
const exists = (file: string): boolean =>
  virtual.has(file) || fs.existsSync(file);

/** What a module imports, and the modules it loads by URL. */
function importsOf(file: string): string[] {
  const text = readSource(file);
  return [
    ...ts.preProcessFile(text, true, true).importedFiles.map((f) => f.fileName),
    ...moduleUrls(text),
  ];
}

/** The local files reachable from `roots` (the roots included). */
function graph(roots: string[]): Set<string> {
  const seen = new Set<string>();
  const todo = [...roots];
  while (todo.length > 0) {
    const file = todo.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    for (const spec of importsOf(file)) {
      const t = resolveSpecifier(spec, file);
      if (t.kind === "file" && exists(t.file)) todo.push(t.file);
    }
  }
  return seen;
}

// ------------------------------------------ which tests can run under Node

const tools = JSON.parse(
  fs.readFileSync(path.join(TOOLS, "package.json"), "utf8"),
) as { devDependencies: Record<string, string> };
const toolPins = tools.devDependencies;

// The npm: pins of deno.json and of scripts/npm_tools must agree.
for (const target of Object.values(importMap)) {
  if (!target.startsWith("npm:")) continue;
  const { name, version: v } = parseNpm(target);
  const pin = toolPins[name];
  if (pin !== undefined && v !== "" && pin !== v) {
    fail(
      `deno.json pins ${name}@${v} but scripts/npm_tools/package.json pins ${pin}: make them equal`,
    );
  }
}

/** Why one test-side module cannot run under Node (empty: it can). */
function fileSkipReasons(file: string): string[] {
  const reasons: string[] = [];
  const apis = new Set(
    [...readSource(file).matchAll(/\bDeno\.([A-Za-z_$][\w$]*)/g)]
      .map((m) => `Deno.${m[1]}`)
      .filter((api) => api !== "Deno.test"),
  );
  if (apis.size > 0) {
    reasons.push(`${rel(file)} uses ${[...apis].join(", ")} (Deno only)`);
  }
  for (const spec of importsOf(file)) {
    const t = resolveSpecifier(spec, file);
    if (t.kind === "unsupported") {
      reasons.push(`${rel(file)} imports '${t.spec}', which Node cannot load`);
    } else if (t.kind === "npm" && toolPins[t.spec.name] === undefined) {
      reasons.push(
        `${
          rel(file)
        } imports npm package ${t.spec.name}, missing from scripts/npm_tools/package.json (pin it to the deno.json version)`,
      );
    }
  }
  return reasons;
}

function nodeSkipReasons(testFile: string): string[] {
  const reasons = new Set<string>();
  const listed = NODE_SKIP[rel(testFile)];
  if (listed !== undefined) reasons.add(listed);
  for (const file of graph([testFile])) {
    if (isTestSide(file)) fileSkipReasons(file).forEach((r) => reasons.add(r));
  }
  return [...reasons];
}

// The code blocks `deno test --doc` runs (JSDoc of the package's modules and
// README.md) become generated test modules under tests/_doc/ (virtual: never
// written to the repository), one runner per source file importing one
// module per block.
const DOC_DIR = path.join(ROOT, "tests", "_doc");
const docSkipped: string[] = [];
let docCount = 0;
for (const source of [...graph(entries), path.join(ROOT, "README.md")]) {
  if (!fs.existsSync(source)) continue;
  const flat = rel(source).replace(/\.(ts|md)$/, "").replaceAll("/", "__");
  const imports: string[] = [];
  const text = readSource(source);
  // Deno's doc tests import what a block uses from the documented module.
  const toSource = path.relative(DOC_DIR, source).split(path.sep).join("/");
  const documented = source.endsWith(".md")
    ? undefined
    : { specifier: toSource, names: exportedNames(text) };
  const resolve = (spec: string): string =>
    /^\.\.?\//.test(spec)
      ? path.relative(DOC_DIR, path.resolve(path.dirname(source), spec))
        .split(path.sep).join("/")
      : spec;
  for (const example of extractExamples(rel(source), text)) {
    const file = path.join(DOC_DIR, `${flat}_L${example.line}.ts`);
    virtual.set(file, exampleModule(example, documented, resolve));
    const reasons = fileSkipReasons(file);
    if (reasons.length > 0) {
      virtual.delete(file);
      docSkipped.push(
        `${example.source}:${example.line}: ${reasons.join("; ")}`,
      );
      continue;
    }
    imports.push(`import "./${path.basename(file)}";`);
    docCount++;
  }
  if (imports.length === 0) continue;
  const runner = path.join(DOC_DIR, `${flat}_test.ts`);
  virtual.set(runner, imports.join("\n") + "\n");
  testFiles.push(runner);
}

const skipped = new Map<string, string[]>();
for (const file of testFiles) {
  const reasons = nodeSkipReasons(file);
  if (reasons.length > 0) skipped.set(file, reasons);
}
const nodeTests = testFiles.filter((f) => !skipped.has(f));

// The modules to emit: the package (reachable from the entry points) and
// whatever the runnable tests reach. Other files of src/ are type-checked
// but not emitted.
const packageGraph = graph(entries);
const emitted = graph([...entries, ...nodeTests]);

// ------------------------------------------------------------- compiler

const fromDeno = ts.convertCompilerOptionsFromJson(
  Object.fromEntries(
    Object.entries(deno.compilerOptions ?? {}).filter(([k]) =>
      !["lib", "types", "jsx", "jsxImportSource"].includes(k)
    ),
  ),
  ROOT,
);
if (fromDeno.errors.length > 0) {
  fail(ts.flattenDiagnosticMessageText(fromDeno.errors[0]!.messageText, "\n"));
}

const options: ts.CompilerOptions = {
  strict: true,
  ...fromDeno.options,
  target: ts.ScriptTarget.ES2022,
  lib: ["lib.es2022.d.ts", "lib.dom.d.ts"],
  types: [],
  module: ts.ModuleKind.ESNext,
  moduleResolution: ts.ModuleResolutionKind.Bundler,
  isolatedModules: true,
  isolatedDeclarations: true,
  rewriteRelativeImportExtensions: true,
  esModuleInterop: true,
  declaration: true,
  skipLibCheck: true,
  rootDir: ROOT,
  outDir: ESM,
  newLine: ts.NewLineKind.LineFeed,
  noEmitOnError: false,
};

const host = ts.createCompilerHost(options);
const getSourceFile = host.getSourceFile.bind(host);
host.getSourceFile = (fileName, languageVersion, onError, create) => {
  const generated = virtual.get(path.resolve(fileName));
  if (generated !== undefined) {
    return ts.createSourceFile(fileName, generated, languageVersion);
  }
  return getSourceFile(fileName, languageVersion, onError, create);
};
const fileExists = host.fileExists.bind(host);
host.fileExists = (f) => virtual.has(path.resolve(f)) || fileExists(f);

virtual.set(HOST_GLOBALS_FILE, HOST_GLOBALS);
const rootNames = [
  HOST_GLOBALS_FILE,
  // emitted: also the modules tests load by URL (worker task modules).
  ...new Set([
    ...entries,
    ...srcFiles,
    ...nodeTests,
    ...emitted,
    ...virtual.keys(),
  ]),
];

const isLibrary = (fileName: string): boolean => {
  const abs = path.resolve(fileName);
  return abs !== HOST_GLOBALS_FILE &&
    !abs.includes(`${path.sep}node_modules${path.sep}`) &&
    !fileName.endsWith(".d.ts") && !isTestSide(abs);
};

function report(diagnostics: readonly ts.Diagnostic[]): void {
  const mine = diagnostics.filter((d) =>
    d.file === undefined || isLibrary(d.file.fileName)
  );
  if (mine.length === 0) return;
  const formatHost: ts.FormatDiagnosticsHost = {
    getCanonicalFileName: (f) => f,
    getCurrentDirectory: () => ROOT,
    getNewLine: () => "\n",
  };
  console.error(ts.formatDiagnosticsWithColorAndContext(mine, formatHost));
  if (mine.some((d) => d.code >= 9007 && d.code <= 9039)) {
    console.error(
      "TS9xxx: isolatedDeclarations wants explicit types on what a module exports (JSR's no-slow-types rule, applied to every module since each ships a .d.ts)",
    );
  }
  fail(
    `${mine.length} type error(s) in library code (lib es2022+dom, no Deno/Node globals)`,
  );
}

/**
 * In test files: maps bare and `npm:` specifiers to what Node resolves
 * (`@pledge/core` -> the emitted `mod.js`, `npm:fast-check@4` ->
 * `fast-check`) and binds `Deno` to the test shim. In library files: the
 * `.ts` of `new URL("./x.ts", import.meta.url)` becomes `.js`.
 */
const transformer: ts.TransformerFactory<ts.SourceFile> = (ctx) => (sf) => {
  if (!isTestSide(sf.fileName)) {
    return rewriteSpecifiers(ctx, sf, fixRelative) as ts.SourceFile;
  }
  const outDir = path.dirname(path.join(ESM, rel(path.resolve(sf.fileName))));
  const relativeJs = (file: string): string => {
    const out = path.join(ESM, rel(file)).replace(/\.ts$/, ".js");
    const r = path.relative(outDir, out).split(path.sep).join("/");
    return r.startsWith(".") ? r : `./${r}`;
  };
  const fix = (spec: string): string => {
    if (spec.startsWith("./") || spec.startsWith("../")) {
      return fixRelative(spec);
    }
    const t = resolveSpecifier(spec, sf.fileName);
    if (t.kind === "file") return relativeJs(t.file);
    if (t.kind === "npm") return t.spec.name + t.spec.sub;
    return spec;
  };
  let out = rewriteSpecifiers(ctx, sf, fix) as ts.SourceFile;
  if (/\bDeno\.test\b/.test(sf.text)) {
    const shim = path.relative(outDir, path.join(OUT, SHIM)).split(path.sep)
      .join("/");
    out = ctx.factory.updateSourceFile(out, [
      denoBinding(ctx.factory, shim),
      ...out.statements,
    ]);
  }
  return out;
};

// ----------------------------------------------------------------- build

/** `/// <reference path>` to `_disposable.d.ts`, for a `.d.ts` needing it. */
function withDisposable(dtsFile: string, text: string): string {
  if (!NEEDS_DISPOSABLE.test(text)) return text;
  let ref = path.relative(path.dirname(dtsFile), path.join(ESM, DISPOSABLE_DTS))
    .split(path.sep).join("/");
  if (!ref.startsWith(".")) ref = `./${ref}`;
  return `/// <reference path="${ref}" />\n${text}`;
}

function emit(): void {
  const program = ts.createProgram({ rootNames, options, host });
  const writeFile: ts.WriteFileCallback = (fileName, text, bom, _e, sfs) => {
    const source = sfs?.[0]?.fileName;
    if (source === undefined) return;
    const abs = path.resolve(source);
    if (!emitted.has(abs)) return; // type-checked only
    const dts = fileName.endsWith(".d.ts");
    if (isTestSide(abs) && dts) return;
    ts.sys.writeFile(
      fileName,
      dts ? withDisposable(fileName, text) : text,
      bom,
    );
  };
  const result = program.emit(undefined, writeFile, undefined, false, {
    before: [transformer],
    afterDeclarations: [rewriteDtsSpecifiers],
  });
  report([
    ...program.getOptionsDiagnostics(),
    ...program.getGlobalDiagnostics(),
    ...program.getSyntacticDiagnostics(),
    ...program.getSemanticDiagnostics(),
  ]);
  report(result.diagnostics);
  fs.writeFileSync(path.join(ESM, DISPOSABLE_DTS), HOST_GLOBALS);
}

/** `./src/future/mod.ts` -> `./esm/src/future/mod` */
const packagePath = (file: string): string =>
  `./esm/${rel(path.join(ROOT, file)).replace(/\.ts$/, "")}`;

function writePackageJson(): void {
  const exportsField: Record<string, unknown> = {};
  // TypeScript's `moduleResolution: node10` (what `module: commonjs`
  // implies) ignores `exports`: it finds the subpaths' types here.
  const typesVersions: Record<string, string[]> = {};
  for (const [sub, file] of Object.entries(exportsMap)) {
    const p = packagePath(file);
    exportsField[sub] = { types: `${p}.d.ts`, default: `${p}.js` };
    if (sub !== ".") typesVersions[sub.slice(2)] = [`${p}.d.ts`];
  }
  exportsField["./package.json"] = "./package.json";
  const main = packagePath(exportsMap["."] ?? Object.values(exportsMap)[0]!);
  const pkg = {
    name: deno.name,
    version,
    description: deno.description,
    license: deno.license,
    keywords: PACKAGE_META.keywords,
    type: "module",
    main: `${main}.js`,
    types: `${main}.d.ts`,
    exports: exportsField,
    typesVersions: { "*": typesVersions },
    // The test side emitted beside the library (tests/ and whatever else
    // the tests import) stays out of the package.
    files: [
      "esm/",
      ...[
        ...new Set(
          [...emitted].filter(isTestSide).map((f) => rel(f).split("/")[0]),
        ),
      ].sort().map((dir) => `!esm/${dir}/`),
    ],
    sideEffects: PACKAGE_META.sideEffects,
    engines: PACKAGE_META.engines,
  };
  fs.writeFileSync(
    path.join(OUT, "package.json"),
    JSON.stringify(pkg, null, 2) + "\n",
  );
}

function ensureTools(): void {
  if (fs.existsSync(path.join(TOOLS, "node_modules", ".package-lock.json"))) {
    return;
  }
  console.log("build_npm: installing scripts/npm_tools (npm ci)");
  const r = spawnSync("npm", ["ci", "--no-audit", "--no-fund"], {
    cwd: TOOLS,
    stdio: "inherit",
  });
  if (r.status !== 0) fail("npm ci in scripts/npm_tools failed");
}

const t0 = performance.now();
const lap = (label: string, since: number): number => {
  const now = performance.now();
  console.log(`build_npm: ${label} in ${((now - since) / 1000).toFixed(2)} s`);
  return now;
};

fs.rmSync(OUT, { recursive: true, force: true });
fs.mkdirSync(OUT, { recursive: true });
emit();
let t = lap("type check + emit", t0);
writePackageJson();
for (const file of ["README.md", "LICENSE"]) {
  fs.copyFileSync(path.join(ROOT, file), path.join(OUT, file));
}
fs.mkdirSync(path.join(OUT, "_test"), { recursive: true });
fs.copyFileSync(path.join(TOOLS, "deno_test_node.mjs"), path.join(OUT, SHIM));

const stray = [...emitted].filter((f) =>
  !isTestSide(f) && !packageGraph.has(f)
);
console.log(
  `build_npm: ${deno.name}@${version}: ${packageGraph.size} modules from ${
    Object.keys(exportsMap).join(", ")
  }, ES modules in npm/esm`,
);
if (stray.length > 0) {
  console.log(
    `build_npm: warning: emitted for tests but not reachable from the entry points (check_npm fails if packed): ${
      stray.map(rel).join(", ")
    }`,
  );
}

// ------------------------------------------------------- tests under Node

const RUN_LIMIT_S = 600;

if (skipTest) {
  lap("build (tests skipped: --skip-test)", t0);
  process.exit(0);
}

ensureTools();
fs.symlinkSync(
  path.relative(OUT, path.join(TOOLS, "node_modules")),
  path.join(OUT, "node_modules"),
  "dir",
);
// A pinned Node binary is an optional dependency of scripts/npm_tools
// (linux-x64 only): where it is missing, say so and test without it.
for (let i = nodeBins.length - 1; i >= 0; i--) {
  if (path.isAbsolute(nodeBins[i]!) && !fs.existsSync(nodeBins[i]!)) {
    console.log(`build_npm: skipped: ${rel(nodeBins[i]!)} is not installed`);
    nodeBins.splice(i, 1);
  }
}
const versions = nodeBins.map((bin) => {
  const r = spawnSync(bin, ["--version"], { encoding: "utf8" });
  if (r.status !== 0) fail(`cannot run ${bin}`);
  return r.stdout.trim();
});
for (const [file, reasons] of skipped) {
  console.log(
    `build_npm: not run under Node: ${rel(file)}: ${
      reasons.map((r) => r.replace(`${rel(file)} `, "it ")).join("; ")
    }`,
  );
}
for (const where of docSkipped) {
  console.log(`build_npm: doc example not run under Node: ${where}`);
}
console.log(
  `build_npm: ${docCount} doc examples (JSDoc and README.md code blocks) run under Node too, in tests/_doc/`,
);
console.log(
  `build_npm: running ${nodeTests.length} test files under node ${
    versions.join(", ")
  }`,
);
t = performance.now();
// Two runs at a time (the machine has 2 cores; the Promises/A+ suite's
// 200 ms timeouts trip when it is starved).
const runs = await pool(
  2,
  nodeBins.map((node, i) => () =>
    nodeTestRun(
      node,
      nodeTests.map((f) => path.join(ESM, rel(f)).replace(/\.ts$/, ".js")),
      {
        cwd: OUT,
        log: path.join(OUT, "_test", `node${i}.log`),
        limitS: RUN_LIMIT_S,
      },
    )
  ),
);
let failed = false;
runs.forEach((r, i) => {
  const c = r.counts;
  if (r.code !== 0 || (c.fail ?? 1) > 0 || (c.pass ?? 0) === 0) {
    failed = true;
    const at = r.report.indexOf("failing tests:");
    console.log(at >= 0 ? r.report.slice(at) : r.report.slice(-8000));
  }
  console.log(
    `node ${versions[i]}: ${c.pass ?? 0} passed, ${c.fail ?? 0} failed, ${
      (c.skipped ?? 0) + (c.todo ?? 0)
    } skipped (${c.tests ?? 0} tests incl. steps; log npm/_test/node${i}.log)`,
  );
});
const total = (key: string): number =>
  runs.reduce((n, r) => n + (r.counts[key] ?? 0), 0);
lap("node --test (two runs at a time)", t);
console.log(
  `node: ${total("pass")} passed, ${total("fail")} failed, ${
    total("skipped") + total("todo")
  } skipped`,
);
lap("build + node tests", t0);
if (failed) fail("tests failed under Node");

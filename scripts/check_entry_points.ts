/**
 * `deno task check:entry-points`: every entry point in `deno.json`'s
 * `exports` (the JSR subpaths, and the npm ones `build_npm.ts` writes from
 * them) is a documented module of its own:
 *
 * - `deno doc --lint` is clean for each one, linted with the entry points it
 *   builds on (those whose folder holds a module it imports: `/cancel`
 *   names `Future`, which `/future` exports and documents) and without the
 *   others;
 * - it opens with a module doc (`@module`) holding a runnable example that
 *   imports it by its own specifier (`@pledge/core/<name>`);
 * - the import map maps that specifier to it (the tests and doc examples
 *   import it so);
 * - the root entry point exports everything each subpath exports.
 *
 * @module
 */

import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import process from "node:process";
import { fileURLToPath, pathToFileURL } from "node:url";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const denoJson = JSON.parse(
  fs.readFileSync(path.join(ROOT, "deno.json"), "utf8"),
) as {
  name: string;
  exports: string | Record<string, string>;
  imports?: Record<string, string>;
};
const entryPoints = typeof denoJson.exports === "string"
  ? { ".": denoJson.exports }
  : denoJson.exports;

let failures = 0;
function check(ok: boolean, what: string, detail = ""): void {
  if (ok) console.log(`ok   ${what}`);
  else {
    failures++;
    console.log(`FAIL ${what}${detail ? `\n${detail.trimEnd()}` : ""}`);
  }
}

/** The local modules `deno info` finds from `file`. */
function graphOf(file: string): Set<string> {
  const info = spawnSync(process.execPath, ["info", "--json", file], {
    cwd: ROOT,
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
  });
  const modules = JSON.parse(info.stdout).modules as { specifier: string }[];
  return new Set(
    modules.filter((m) => m.specifier.startsWith("file:")).map((m) =>
      fileURLToPath(m.specifier)
    ),
  );
}

// Entry point -> the other entry points (not the root) it builds on: those
// whose folder holds a module it imports, transitively.
const subpaths = Object.keys(entryPoints).filter((s) => s !== ".");
const folderOf = (subpath: string): string =>
  path.dirname(path.join(ROOT, entryPoints[subpath]!)) + path.sep;
const direct = new Map<string, string[]>();
for (const subpath of subpaths) {
  const graph = [...graphOf(entryPoints[subpath]!)];
  direct.set(
    subpath,
    subpaths.filter((other) =>
      other !== subpath && graph.some((f) => f.startsWith(folderOf(other)))
    ),
  );
}
function buildsOn(subpath: string): Set<string> {
  const seen = new Set<string>();
  const visit = (s: string): void => {
    for (const d of direct.get(s) ?? []) {
      if (d !== subpath && !seen.has(d)) (seen.add(d), visit(d));
    }
  };
  visit(subpath);
  return seen;
}

const load = async (file: string): Promise<string[]> =>
  Object.keys(await import(pathToFileURL(path.join(ROOT, file)).href));
const rootFile = entryPoints["."];
const rootNames = new Set(rootFile === undefined ? [] : await load(rootFile));

for (const [subpath, file] of Object.entries(entryPoints)) {
  const specifier = subpath === "."
    ? denoJson.name
    : `${denoJson.name}/${subpath.slice(2)}`;
  const base = subpath === "." ? [] : [...buildsOn(subpath)].sort();
  const lint = spawnSync(
    process.execPath,
    ["doc", "--lint", file, ...base.map((b) => entryPoints[b]!)],
    { cwd: ROOT, encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } },
  );
  check(
    lint.status === 0,
    `${specifier}: deno doc --lint ${file}${
      base.length > 0 ? ` (with what it builds on: ${base.join(", ")})` : ""
    }`,
    lint.stdout + lint.stderr,
  );

  const doc = spawnSync(process.execPath, ["doc", "--json", file], {
    cwd: ROOT,
    encoding: "utf8",
    maxBuffer: 256 * 1024 * 1024,
  });
  const node = Object.values(
    (JSON.parse(doc.stdout || "{}").nodes ?? {}) as Record<
      string,
      { module_doc?: { tags?: { kind: string; doc?: string }[] } }
    >,
  )[0];
  const tags = node?.module_doc?.tags ?? [];
  const examples = tags.filter((t) => t.kind === "example");
  check(
    tags.some((t) => t.kind === "module") &&
      examples.some((t) =>
        /```ts/.test(t.doc ?? "") &&
        new RegExp(`from "${specifier}"`).test(t.doc ?? "")
      ),
    `${specifier}: a module doc with an example importing "${specifier}"`,
  );

  const mapped = denoJson.imports?.[specifier];
  check(
    mapped !== undefined &&
      path.resolve(ROOT, mapped) === path.resolve(ROOT, file),
    `${specifier}: the import map maps it to ${file}`,
    `  imports["${specifier}"] is ${JSON.stringify(mapped)}`,
  );

  if (subpath !== ".") {
    const absent = (await load(file)).filter((n) => !rootNames.has(n));
    check(
      absent.length === 0,
      `${specifier}: ${denoJson.name} exports all it exports`,
      `  missing from ${rootFile}: ${absent.join(", ")}`,
    );
  }
}

console.log(
  `check_entry_points: ${
    failures === 0 ? "all checks passed" : `${failures} check(s) failed`
  } for ${Object.keys(entryPoints).length} entry points`,
);
if (failures > 0) process.exit(1);

/**
 * Module URLs for workers in the npm build: `new URL("./x.ts",
 * import.meta.url)` names a module a worker starts (the WorkerPool's
 * bootstrap, a task module), not an import, so tsc neither rewrites nor
 * emits it. This module finds those URLs (so scripts/build_npm.ts emits
 * their targets) and rewrites them:
 *
 * - `.ts` -> `.js`, resolved from the file's original place (a doc example
 *   compiled under `tests/_doc/` keeps the directory of its source);
 * - always to the ES module copy (`esm/`): a worker's bootstrap is an ES
 *   module, and so is the task module it imports, in both formats;
 * - in CommonJS output, `import.meta.url` (a syntax error there) becomes
 *   `require("node:url").pathToFileURL(__filename)`.
 *
 * @module
 */

import ts from "typescript";
import path from "node:path";

const URL_PATTERN =
  /new\s+URL\(\s*["'](\.\.?\/[^"']+\.ts)["']\s*,\s*import\.meta\.url\s*,?\s*\)/g;

/** The `.ts` files a source names with `new URL("./x.ts", import.meta.url)`. */
export function workerUrlTargets(text: string, fromDir: string): string[] {
  return [...text.matchAll(URL_PATTERN)].map((m) =>
    path.resolve(fromDir, m[1]!)
  );
}

/** Where the build puts things, and where a source file came from. */
export interface WorkerUrlLayout {
  /** The repository root. */
  root: string;
  /** The npm output directory (`npm/`). */
  out: string;
  /** The directory a file's relative URLs resolve from. */
  originalDir(file: string): string;
}

function isImportMetaUrl(node: ts.Node): boolean {
  return ts.isPropertyAccessExpression(node) &&
    ts.isMetaProperty(node.expression) &&
    node.expression.keywordToken === ts.SyntaxKind.ImportKeyword &&
    node.name.text === "url";
}

/** The transformer rewriting worker module URLs for `format`. */
export function workerUrlTransformer(
  format: "esm" | "script",
  layout: WorkerUrlLayout,
): ts.TransformerFactory<ts.SourceFile> {
  return (ctx) => (sf) => {
    if (!/import\.meta\.url/.test(sf.text)) return sf;
    const f = ctx.factory;
    const file = path.resolve(sf.fileName);
    const outDir = path.dirname(
      path.join(layout.out, format, path.relative(layout.root, file)),
    );
    const visit = (node: ts.Node): ts.Node => {
      if (
        ts.isNewExpression(node) && ts.isIdentifier(node.expression) &&
        node.expression.text === "URL" && node.arguments?.length === 2 &&
        ts.isStringLiteral(node.arguments[0]!) &&
        /^\.\.?\/.*\.ts$/.test(node.arguments[0].text) &&
        isImportMetaUrl(node.arguments[1]!)
      ) {
        const target = path.resolve(
          layout.originalDir(file),
          node.arguments[0].text,
        );
        const emitted = path.join(
          layout.out,
          "esm",
          path.relative(layout.root, target),
        ).replace(/\.ts$/, ".js");
        let spec = path.relative(outDir, emitted).split(path.sep).join("/");
        if (!spec.startsWith(".")) spec = `./${spec}`;
        const base = format === "esm" ? node.arguments[1]! : f
          .createCallExpression(
            f.createPropertyAccessExpression(
              f.createCallExpression(
                f.createIdentifier("require"),
                undefined,
                [f.createStringLiteral("node:url")],
              ),
              "pathToFileURL",
            ),
            undefined,
            [f.createIdentifier("__filename")],
          );
        return f.updateNewExpression(node, node.expression, undefined, [
          f.createStringLiteral(spec),
          base,
        ]);
      }
      return ts.visitEachChild(node, visit, ctx);
    };
    return ts.visitNode(sf, visit) as ts.SourceFile;
  };
}

/**
 * The TypeScript transformers of scripts/build_npm.ts: specifier rewriting
 * (`.ts` -> `.js` in `new URL("./x.ts", import.meta.url)` and in `.d.ts`
 * files, which tsc leaves alone) and the import that binds `Deno` to the
 * test shim in compiled test files.
 *
 * @module
 */

import ts from "typescript";

/** `./x.ts` -> `./x.js` (and `.mts` -> `.mjs`) for relative specifiers. */
export const fixRelative = (s: string): string =>
  /^\.\.?\//.test(s)
    ? s.replace(/\.(ts|tsx|mts)$/, (_m, e) => e === "mts" ? ".mjs" : ".js")
    : s;

/** Rewrites relative `.ts` specifiers to `.js` in declaration files. */
export function rewriteDtsSpecifiers(
  ctx: ts.TransformationContext,
): (node: ts.SourceFile | ts.Bundle) => ts.SourceFile | ts.Bundle {
  return (node) => rewriteSpecifiers(ctx, node, fixRelative) as ts.SourceFile;
}

/**
 * Applies `fix` to every module specifier under `root`: import and export
 * declarations, `import()` calls, `import("...")` types,
 * `new URL("...", import.meta.url)` and `import.meta.resolve("...")`.
 */
export function rewriteSpecifiers(
  ctx: ts.TransformationContext,
  root: ts.Node,
  fix: (spec: string) => string,
): ts.Node {
  const f = ctx.factory;
  const lit = (s: ts.Expression): ts.Expression =>
    ts.isStringLiteral(s) ? f.createStringLiteral(fix(s.text)) : s;
  const visit = (node: ts.Node): ts.Node => {
    if (ts.isImportDeclaration(node)) {
      return f.updateImportDeclaration(
        node,
        node.modifiers,
        node.importClause,
        lit(node.moduleSpecifier),
        node.attributes,
      );
    }
    if (ts.isExportDeclaration(node) && node.moduleSpecifier) {
      return f.updateExportDeclaration(
        node,
        node.modifiers,
        node.isTypeOnly,
        node.exportClause,
        lit(node.moduleSpecifier),
        node.attributes,
      );
    }
    if (
      ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument) &&
      ts.isStringLiteral(node.argument.literal)
    ) {
      return f.updateImportTypeNode(
        node,
        f.updateLiteralTypeNode(
          node.argument,
          f.createStringLiteral(fix(node.argument.literal.text)),
        ),
        node.attributes,
        node.qualifier,
        node.typeArguments,
        node.isTypeOf,
      );
    }
    if (
      ts.isCallExpression(node) && node.arguments.length >= 1 &&
      (node.expression.kind === ts.SyntaxKind.ImportKeyword ||
        isImportMeta(node.expression, "resolve"))
    ) {
      return f.updateCallExpression(
        node,
        node.expression,
        node.typeArguments,
        [lit(node.arguments[0]!), ...node.arguments.slice(1)],
      );
    }
    if (
      ts.isNewExpression(node) && ts.isIdentifier(node.expression) &&
      node.expression.text === "URL" && node.arguments?.length === 2 &&
      ts.isStringLiteral(node.arguments[0]!) &&
      isImportMeta(node.arguments[1]!, "url")
    ) {
      return f.updateNewExpression(
        node,
        node.expression,
        node.typeArguments,
        [lit(node.arguments[0]!), node.arguments[1]!],
      );
    }
    return ts.visitEachChild(node, visit, ctx);
  };
  return ts.visitNode(root, visit)!;
}

/** `import.meta.<name>` */
export const isImportMeta = (node: ts.Node, name: string): boolean =>
  ts.isPropertyAccessExpression(node) && node.name.text === name &&
  ts.isMetaProperty(node.expression) &&
  node.expression.keywordToken === ts.SyntaxKind.ImportKeyword;

/** `import { Deno } from "<shim>";` */
export function denoBinding(f: ts.NodeFactory, shim: string): ts.Statement {
  return f.createImportDeclaration(
    undefined,
    f.createImportClause(
      false,
      undefined,
      f.createNamedImports([
        f.createImportSpecifier(false, undefined, f.createIdentifier("Deno")),
      ]),
    ),
    f.createStringLiteral(shim),
  );
}

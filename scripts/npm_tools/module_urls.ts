/**
 * The modules a file loads by URL rather than by import, such as a worker's
 * bootstrap (`new Worker(new URL("./_worker.ts", import.meta.url))`, or
 * `import.meta.resolve("./_worker.ts")`): the npm build emits and packs them,
 * and rewrites their `.ts` to `.js`. Read from the syntax tree, so a URL in
 * a comment (a doc example) is not one.
 *
 * @module
 */

import ts from "typescript";
import { isImportMeta } from "./transforms.ts";

/**
 * The relative `.ts` specifiers of `new URL("./x.ts", import.meta.url)` and
 * `import.meta.resolve("./x.ts")`, in source order.
 */
export function moduleUrls(text: string): string[] {
  if (!text.includes("import.meta")) return [];
  const found: string[] = [];
  const relative = (node: ts.Node | undefined): void => {
    if (
      node !== undefined && ts.isStringLiteral(node) &&
      /^\.\.?\/.*\.ts$/.test(node.text)
    ) found.push(node.text);
  };
  const visit = (node: ts.Node): void => {
    if (
      ts.isNewExpression(node) && ts.isIdentifier(node.expression) &&
      node.expression.text === "URL" && node.arguments?.length === 2 &&
      isImportMeta(node.arguments[1]!, "url")
    ) relative(node.arguments[0]);
    else if (
      ts.isCallExpression(node) && isImportMeta(node.expression, "resolve")
    ) relative(node.arguments[0]);
    ts.forEachChild(node, visit);
  };
  visit(ts.createSourceFile("x.ts", text, ts.ScriptTarget.Latest, false));
  return found;
}

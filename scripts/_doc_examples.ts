/**
 * Turns the code blocks that `deno test --doc` runs (in JSDoc comments and in
 * Markdown) into test modules, as Deno does: each block becomes one module,
 * its imports stay at the top, the rest is wrapped in an async `Deno.test`,
 * and the exports of the documented module that the block uses without
 * importing them are imported for it. scripts/run_tests.ts runs them under Deno
 * (all in one type-check and a few processes instead of one per block), and
 * scripts/build_npm.ts runs them under Node against the built package.
 *
 * @module
 */

import ts from "typescript";
import { isImportMeta } from "./npm_tools/transforms.ts";

/** One runnable code block. */
export interface DocExample {
  /** The file the block is in, relative to the repository root. */
  source: string;
  /** The 1-based line of the opening fence. */
  line: number;
  /** The `@example` title, or "" for a Markdown block. */
  title: string;
  /** The block's code. */
  code: string;
}

const LANGS = new Set(["ts", "typescript", "js", "javascript", "mts", "mjs"]);
const FENCE = /^```(\w*)([^\n]*)\n([\s\S]*?)^```/gm;

function blocksIn(
  source: string,
  text: string,
  firstLine: number,
  title: (offset: number) => string,
): DocExample[] {
  const out: DocExample[] = [];
  for (const m of text.matchAll(FENCE)) {
    const [, lang = "", attrs = ""] = m;
    if (!LANGS.has(lang) || /\bignore\b/.test(attrs)) continue;
    const line = firstLine + text.slice(0, m.index).split("\n").length - 1;
    out.push({ source, line, title: title(m.index), code: m[3]! });
  }
  return out;
}

/** The runnable code blocks of a TypeScript module or a Markdown file. */
export function extractExamples(source: string, text: string): DocExample[] {
  if (source.endsWith(".md")) return blocksIn(source, text, 1, () => "");
  const out: DocExample[] = [];
  for (const m of text.matchAll(/\/\*\*[\s\S]*?\*\//g)) {
    const firstLine = text.slice(0, m.index).split("\n").length;
    const body = m[0]
      .split("\n")
      .map((l) => l.replace(/^\s*\/\*\*\s?/, "").replace(/^\s*\*\/$/, ""))
      .map((l) => l.replace(/^\s*\*(?!\/) ?/, ""))
      .join("\n");
    out.push(...blocksIn(source, body, firstLine, (offset) => {
      const before = body.slice(0, offset);
      const tag = [...before.matchAll(/@example\b[ \t]*([^\n]*)/g)].pop();
      return tag?.[1]?.trim() ?? "";
    }));
  }
  return out;
}

const parse = (text: string): ts.SourceFile =>
  ts.createSourceFile("x.ts", text, ts.ScriptTarget.Latest, false);

const hasExport = (node: ts.Node): boolean =>
  ts.canHaveModifiers(node) &&
  (ts.getModifiers(node) ?? []).some((m) =>
    m.kind === ts.SyntaxKind.ExportKeyword
  );

/**
 * The names a module exports by declaration or by `export { ... }` (not
 * through `export *`), which Deno makes available to its doc examples.
 */
export function exportedNames(text: string): Set<string> {
  const names = new Set<string>();
  for (const s of parse(text).statements) {
    if (ts.isExportDeclaration(s)) {
      if (s.exportClause && ts.isNamedExports(s.exportClause)) {
        s.exportClause.elements.forEach((e) => names.add(e.name.text));
      }
    } else if (hasExport(s)) {
      if (ts.isVariableStatement(s)) {
        for (const d of s.declarationList.declarations) {
          if (ts.isIdentifier(d.name)) names.add(d.name.text);
        }
      } else if (
        (ts.isFunctionDeclaration(s) || ts.isClassDeclaration(s) ||
          ts.isInterfaceDeclaration(s) || ts.isTypeAliasDeclaration(s) ||
          ts.isEnumDeclaration(s)) && s.name
      ) names.add(s.name.text);
    }
  }
  return names;
}

/** The identifiers the code uses, and the names it binds at top level. */
function namesOf(sf: ts.SourceFile): { used: Set<string>; bound: Set<string> } {
  const used = new Set<string>();
  const bound = new Set<string>();
  const visit = (node: ts.Node): void => {
    // Member names (`x.name`, `{ name: v }`, `A.B`) are not references.
    if (ts.isPropertyAccessExpression(node)) return visit(node.expression);
    if (ts.isQualifiedName(node)) return visit(node.left);
    if (ts.isPropertyAssignment(node)) return visit(node.initializer);
    if (ts.isIdentifier(node)) used.add(node.text);
    ts.forEachChild(node, visit);
  };
  visit(sf);
  for (const s of sf.statements) {
    if (ts.isImportDeclaration(s) && s.importClause) {
      const c = s.importClause;
      if (c.name) bound.add(c.name.text);
      const b = c.namedBindings;
      if (b && ts.isNamespaceImport(b)) bound.add(b.name.text);
      if (b && ts.isNamedImports(b)) {
        b.elements.forEach((e) => bound.add(e.name.text));
      }
    } else if (ts.isVariableStatement(s)) {
      for (const d of s.declarationList.declarations) {
        if (ts.isIdentifier(d.name)) bound.add(d.name.text);
      }
    } else if (
      (ts.isFunctionDeclaration(s) || ts.isClassDeclaration(s) ||
        ts.isInterfaceDeclaration(s) || ts.isTypeAliasDeclaration(s)) &&
      s.name
    ) bound.add(s.name.text);
  }
  return { used, bound };
}

/** What the documented module offers its examples (Deno's auto-import). */
export interface DocModule {
  /** The specifier the generated module imports the documented one by. */
  specifier: string;
  /** Its exported names (see {@linkcode exportedNames}). */
  names: Set<string>;
}

/**
 * The string literals in `statement` that name a module relative to the
 * documented file: import and export specifiers, the first argument of
 * `new URL(..., import.meta.url)` and of `import.meta.resolve(...)`; in
 * source order.
 */
function relativeSpecifiers(statement: ts.Statement): ts.StringLiteral[] {
  const found: ts.StringLiteral[] = [];
  const visit = (node: ts.Node): void => {
    if (
      (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) &&
      node.moduleSpecifier !== undefined &&
      ts.isStringLiteral(node.moduleSpecifier)
    ) {
      found.push(node.moduleSpecifier);
    } else if (
      ts.isNewExpression(node) && ts.isIdentifier(node.expression) &&
      node.expression.text === "URL" && node.arguments?.length === 2 &&
      ts.isStringLiteral(node.arguments[0]!) &&
      isImportMeta(node.arguments[1]!, "url")
    ) {
      found.push(node.arguments[0] as ts.StringLiteral);
    } else if (
      ts.isCallExpression(node) && isImportMeta(node.expression, "resolve") &&
      node.arguments.length === 1 && ts.isStringLiteral(node.arguments[0]!)
    ) {
      found.push(node.arguments[0] as ts.StringLiteral);
    }
    ts.forEachChild(node, visit);
  };
  visit(statement);
  return found;
}

/**
 * A test module running one example: imports hoisted (their specifiers
 * passed through `resolve`), the rest wrapped in `Deno.test`, and the
 * documented module's exports that the example uses without importing them
 * imported from `documented.specifier`.
 */
export function exampleModule(
  example: DocExample,
  documented?: DocModule,
  resolve: (specifier: string) => string = (s) => s,
): string {
  const sf = parse(example.code);
  const top: string[] = [];
  const body: string[] = [];
  for (const statement of sf.statements) {
    const base = statement.getFullStart();
    let text = example.code.slice(base, statement.end);
    // Specifiers relative to the documented file: an import's, and a module
    // URL's (`new URL("./x.ts", import.meta.url)`, `import.meta.resolve`),
    // replaced from the last so earlier offsets hold.
    for (const spec of relativeSpecifiers(statement).reverse()) {
      const start = spec.getStart(sf) - base;
      text = text.slice(0, start) + JSON.stringify(resolve(spec.text)) +
        text.slice(spec.end - base);
    }
    const hoisted = ts.isImportDeclaration(statement) ||
      ts.isImportEqualsDeclaration(statement) ||
      (ts.isExportDeclaration(statement) && !!statement.moduleSpecifier);
    (hoisted ? top : body).push(text);
  }
  if (documented !== undefined) {
    const { used, bound } = namesOf(sf);
    const auto = [...documented.names].filter((n) =>
      used.has(n) && !bound.has(n)
    );
    if (auto.length > 0) {
      top.unshift(
        `import { ${auto.sort().join(", ")} } from ${
          JSON.stringify(documented.specifier)
        };`,
      );
    }
  }
  const where = `${example.source}:${example.line}`;
  const name = example.title ? `${where}: ${example.title}` : where;
  // An example that registers its own tests runs as it is written, as
  // `deno test --doc` runs it (a test cannot register another).
  if (sf.statements.some(isDenoTestCall)) {
    return [
      `// Generated from the code block at ${where}.`,
      ...top,
      ...body,
      "",
    ]
      .join("\n");
  }
  return [
    `// Generated from the code block at ${where}.`,
    ...top,
    `Deno.test(${JSON.stringify(`doc example ${name}`)}, async () => {`,
    ...body,
    "});",
    "",
  ].join("\n");
}

/** Whether a statement is a call of `Deno.test(...)` (or `Deno.test.only`). */
function isDenoTestCall(statement: ts.Statement): boolean {
  if (!ts.isExpressionStatement(statement)) return false;
  let e: ts.Expression = statement.expression;
  if (ts.isAwaitExpression(e)) e = e.expression;
  if (!ts.isCallExpression(e)) return false;
  let callee: ts.Expression = e.expression;
  // Deno.test.only(...) and Deno.test.ignore(...) count too.
  if (
    ts.isPropertyAccessExpression(callee) &&
    ts.isPropertyAccessExpression(callee.expression)
  ) callee = callee.expression;
  return ts.isPropertyAccessExpression(callee) &&
    ts.isIdentifier(callee.expression) && callee.expression.text === "Deno" &&
    callee.name.text === "test";
}

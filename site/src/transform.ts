/**
 * Rewrites a plain JavaScript snippet so that it runs on the simulated
 * event loop, unmodified in what it does:
 *
 * - every free identifier that is not a pure built-in (`Math`, `JSON`,
 *   `Map`, ...) is routed to the simulated host (`setTimeout` becomes
 *   `__host.setTimeout`, `typeof process` asks the host), so nothing in the
 *   snippet reaches the real timers, promises or globals of the page;
 * - async functions, methods and arrows become generator functions driven by
 *   the simulator's async functions (`await x` becomes `yield x`), so their
 *   promises and await ticks live in the simulated microtask queue; a
 *   module's top-level `await` makes the whole module such a function;
 * - every loop body counts its iterations, so a loop that never ends stops
 *   with an error instead of freezing the page;
 * - a function written inline as an argument is tagged with its line, so the
 *   timeline can name it.
 *
 * The result is the body of `new Function(HOST, HELPER, code)`. What cannot
 * be simulated honestly (`for await`, async generators, dynamic `import()`)
 * is refused with a {@linkcode NotSimulatedError} before anything runs.
 *
 * @module
 */

import { parse } from "acorn";
import { NotSimulatedError } from "./not_simulated.ts";

/** The parameter names the transformed code receives. */
export const HOST = "__host";
/** The helper object (async functions, loop guard, labels). */
export const HELPER = "__pledge";

/** A syntax error in the snippet, with its position. */
export class SnippetSyntaxError extends SyntaxError {
  /** 1-based line. */
  readonly line: number;
  /** 0-based column. */
  readonly column: number;
  /**
   * Creates the error.
   *
   * @param message The parser's message.
   * @param line The line.
   * @param column The column.
   */
  constructor(message: string, line: number, column: number) {
    super(message);
    this.name = "SyntaxError";
    this.line = line;
    this.column = column;
  }
}

/** How to read the snippet. */
export interface TransformOptions {
  /**
   * As an ES module (strict, `import`, top-level `await`) rather than a
   * classic script or CommonJS module.
   */
  readonly module: boolean;
}

/** A transformed snippet. */
export interface Transformed {
  /** The body for `new Function(HOST, HELPER, code)`. */
  readonly code: string;
  /** The free names routed to the host, sorted. */
  readonly globals: readonly string[];
  /** The modules imported (`import` or `require` of a literal). */
  readonly imports: readonly string[];
}

/**
 * Built-ins that neither schedule nor reach outside the snippet: they stay
 * real. Everything else that is free goes to the simulated host.
 */
export const PURE_GLOBALS: ReadonlySet<string> = new Set([
  "undefined",
  "NaN",
  "Infinity",
  "Object",
  "Array",
  "Boolean",
  "Symbol",
  "Error",
  "EvalError",
  "RangeError",
  "ReferenceError",
  "SyntaxError",
  "TypeError",
  "URIError",
  "AggregateError",
  "Number",
  "BigInt",
  "Math",
  "String",
  "RegExp",
  "Map",
  "Set",
  "WeakMap",
  "WeakSet",
  "WeakRef",
  "JSON",
  "Reflect",
  "Proxy",
  "Intl",
  "ArrayBuffer",
  "SharedArrayBuffer",
  "DataView",
  "Int8Array",
  "Uint8Array",
  "Uint8ClampedArray",
  "Int16Array",
  "Uint16Array",
  "Int32Array",
  "Uint32Array",
  "Float16Array",
  "Float32Array",
  "Float64Array",
  "BigInt64Array",
  "BigUint64Array",
  "Iterator",
  "isFinite",
  "isNaN",
  "parseFloat",
  "parseInt",
  "encodeURI",
  "encodeURIComponent",
  "decodeURI",
  "decodeURIComponent",
  "escape",
  "unescape",
  "structuredClone",
  "TextEncoder",
  "TextDecoder",
  "URL",
  "URLSearchParams",
  "AbortController",
  "Event",
  "EventTarget",
  "CustomEvent",
  "DOMException",
  "atob",
  "btoa",
]);

// deno-lint-ignore no-explicit-any
type Node = { type: string; start: number; end: number; [key: string]: any };

interface Edit {
  start: number;
  end: number;
  text: string;
  /** 0: closing insert, 1: opening insert, 2: replacement. */
  kind: 0 | 1 | 2;
  seq: number;
}

class Scope {
  readonly names = new Set<string>();
  constructor(readonly parent: Scope | undefined) {}
  has(name: string): boolean {
    return this.names.has(name) || (this.parent?.has(name) ?? false);
  }
}

const LOOPS = new Set([
  "WhileStatement",
  "DoWhileStatement",
  "ForStatement",
  "ForInStatement",
  "ForOfStatement",
]);
const FUNCTIONS = new Set([
  "FunctionDeclaration",
  "FunctionExpression",
  "ArrowFunctionExpression",
]);
// Callees whose inline callbacks are promise reactions, named in the trace.
const REACTIONS = new Set(["then", "catch", "finally"]);

/** The names a binding pattern declares. */
function boundNames(pattern: Node | null, out: string[] = []): string[] {
  if (pattern === null) return out;
  switch (pattern.type) {
    case "Identifier":
      out.push(pattern.name);
      break;
    case "ObjectPattern":
      for (const p of pattern.properties) {
        boundNames(p.type === "RestElement" ? p.argument : p.value, out);
      }
      break;
    case "ArrayPattern":
      for (const e of pattern.elements) boundNames(e, out);
      break;
    case "AssignmentPattern":
      boundNames(pattern.left, out);
      break;
    case "RestElement":
      boundNames(pattern.argument, out);
      break;
  }
  return out;
}

/**
 * Declares into `scope` the `var`s and functions of a function body (or of
 * the program): it does not enter nested functions, classes or expressions.
 */
function hoist(node: unknown, scope: Scope): void {
  if (Array.isArray(node)) {
    for (const n of node) hoist(n, scope);
    return;
  }
  if (node === null || typeof node !== "object") return;
  const n = node as Node;
  if (typeof n.type !== "string") return;
  switch (n.type) {
    case "VariableDeclaration":
      if (n.kind === "var") {
        for (const d of n.declarations) {
          for (const name of boundNames(d.id)) scope.names.add(name);
        }
      }
      return;
    case "FunctionDeclaration":
      // Annex B: a function declared in a block is also a var.
      scope.names.add(n.id.name);
      return;
    case "ClassDeclaration":
      return;
  }
  if (n.type.endsWith("Expression")) return;
  for (const key of Object.keys(n)) {
    if (key !== "loc") hoist(n[key], scope);
  }
}

/** Declares the lexical declarations directly inside a block's statements. */
function declareLexical(statements: Node[], scope: Scope): void {
  for (const s of statements) {
    const d = s.type === "ExportNamedDeclaration" ||
        s.type === "ExportDefaultDeclaration"
      ? s.declaration
      : s;
    if (d === null || d === undefined) continue;
    if (d.type === "VariableDeclaration" && d.kind !== "var") {
      for (const v of d.declarations) {
        for (const n of boundNames(v.id)) scope.names.add(n);
      }
    } else if (
      (d.type === "ClassDeclaration" || d.type === "FunctionDeclaration") &&
      d.id !== null
    ) {
      scope.names.add(d.id.name);
    } else if (d.type === "ImportDeclaration") {
      for (const spec of d.specifiers) scope.names.add(spec.local.name);
    }
  }
}

class Rewriter {
  readonly edits: Edit[] = [];
  readonly globals = new Set<string>();
  readonly imports = new Set<string>();
  #seq = 0;
  /** The enclosing functions: whether each is async. */
  readonly #fns: boolean[] = [];
  topLevelAwait = false;

  constructor(readonly src: string, readonly module: boolean) {}

  insert(at: number, text: string, closing: boolean): void {
    this.edits.push({
      start: at,
      end: at,
      text,
      kind: closing ? 0 : 1,
      seq: this.#seq++,
    });
  }

  replace(start: number, end: number, text: string): void {
    this.edits.push({ start, end, text, kind: 2, seq: this.#seq++ });
  }

  refuse(feature: string, node: Node, what: string): never {
    const line = node.loc.start.line;
    throw new NotSimulatedError(
      feature,
      `Line ${line}: ${what} cannot be simulated: the page runs snippets on a simulated event loop and has no faithful model of it`,
    );
  }

  program(ast: Node): void {
    const scope = new Scope(undefined);
    hoist(ast.body, scope);
    declareLexical(ast.body, scope);
    for (const s of ast.body) this.statement(s, scope);
  }

  // Visits any node: statements and expressions alike.
  visit(node: Node | null | undefined, scope: Scope, parent?: Node): void {
    if (node === null || node === undefined) return;
    switch (node.type) {
      case "Identifier":
        this.reference(node, scope);
        return;
      case "FunctionDeclaration":
      case "FunctionExpression":
      case "ArrowFunctionExpression":
        this.fn(node, scope, parent);
        return;
      case "ClassDeclaration":
      case "ClassExpression":
        this.cls(node, scope);
        return;
      case "BlockStatement":
      case "StaticBlock": {
        const inner = new Scope(scope);
        declareLexical(node.body, inner);
        if (node.type === "StaticBlock") hoist(node.body, inner);
        for (const s of node.body) this.visit(s, inner);
        return;
      }
      case "SwitchStatement": {
        this.visit(node.discriminant, scope);
        const inner = new Scope(scope);
        for (const c of node.cases) declareLexical(c.consequent, inner);
        for (const c of node.cases) {
          this.visit(c.test, inner);
          for (const s of c.consequent) this.visit(s, inner);
        }
        return;
      }
      case "VariableDeclaration":
        for (const d of node.declarations) {
          this.pattern(d.id, scope, false);
          this.visit(d.init, scope, d);
        }
        return;
      case "MemberExpression":
        this.visit(node.object, scope);
        if (node.computed) this.visit(node.property, scope);
        return;
      case "Property":
        if (node.computed) this.visit(node.key, scope);
        if (node.shorthand && node.value.type === "Identifier") {
          const name = node.value.name;
          if (this.isFree(name, scope)) {
            this.globals.add(name);
            this.replace(node.start, node.end, `${name}: ${HOST}.${name}`);
          }
          return;
        }
        this.visit(node.value, scope, node);
        return;
      case "MethodDefinition":
      case "PropertyDefinition":
        if (node.computed) this.visit(node.key, scope);
        this.visit(node.value, scope, node);
        return;
      case "LabeledStatement":
        this.visit(node.body, scope);
        return;
      case "BreakStatement":
      case "ContinueStatement":
      case "EmptyStatement":
      case "DebuggerStatement":
      case "ThisExpression":
      case "Super":
      case "Literal":
      case "TemplateElement":
      case "PrivateIdentifier":
        return;
      case "MetaProperty":
        if (node.meta.name === "import") {
          this.refuse("import.meta", node, "import.meta");
        }
        return;
      case "ImportExpression":
        this.refuse("import()", node, "A dynamic import()");
        return;
      case "AssignmentExpression":
        this.pattern(node.left, scope, true);
        this.visit(node.right, scope);
        return;
      case "UnaryExpression":
        if (
          node.operator === "typeof" && node.argument.type === "Identifier" &&
          this.isFree(node.argument.name, scope)
        ) {
          this.globals.add(node.argument.name);
          this.replace(
            node.start,
            node.end,
            `${HELPER}.typeOf(${JSON.stringify(node.argument.name)})`,
          );
          return;
        }
        this.visit(node.argument, scope);
        return;
      case "AwaitExpression":
        this.await(node);
        this.visit(node.argument, scope);
        return;
      case "CatchClause": {
        const inner = new Scope(scope);
        for (const n of boundNames(node.param)) inner.names.add(n);
        this.pattern(node.param, inner, false);
        this.visit(node.body, inner);
        return;
      }
      case "CallExpression":
      case "NewExpression":
        this.visit(node.callee, scope);
        for (const a of node.arguments) {
          if (FUNCTIONS.has(a.type)) this.tag(node, a);
          this.visit(a, scope);
        }
        return;
      case "ImportDeclaration":
        this.importDeclaration(node);
        return;
      case "ExportNamedDeclaration":
        if (node.declaration === null || node.source !== null) {
          this.replace(node.start, node.end, "");
          return;
        }
        this.replace(node.start, node.declaration.start, "");
        this.visit(node.declaration, scope);
        return;
      case "ExportDefaultDeclaration":
        this.replace(node.start, node.declaration.start, "");
        if (node.declaration.type.endsWith("Declaration")) {
          this.visit(node.declaration, scope);
        } else {
          this.insert(node.declaration.start, "void (", false);
          this.visit(node.declaration, scope);
          this.insert(node.declaration.end, ")", true);
        }
        return;
      case "ExportAllDeclaration":
        this.refuse("export *", node, "Re-exporting a module");
        return;
    }
    if (LOOPS.has(node.type)) {
      this.loop(node, scope);
      return;
    }
    for (const key of Object.keys(node)) {
      if (key === "loc") continue;
      const child = node[key];
      if (Array.isArray(child)) {
        for (const c of child) {
          if (c !== null && typeof c === "object") this.visit(c, scope, node);
        }
      } else if (child !== null && typeof child === "object" && child.type) {
        this.visit(child, scope, node);
      }
    }
  }

  statement(node: Node, scope: Scope): void {
    this.visit(node, scope);
  }

  isFree(name: string, scope: Scope): boolean {
    return !scope.has(name) && !PURE_GLOBALS.has(name) &&
      name !== "arguments";
  }

  reference(node: Node, scope: Scope): void {
    const name: string = node.name;
    if (name.startsWith(HOST) || name.startsWith(HELPER)) {
      this.refuse(name, node, `The name ${name}`);
    }
    if (!this.isFree(name, scope)) return;
    this.globals.add(name);
    this.replace(node.start, node.end, `${HOST}.${name}`);
  }

  // A binding (declaration) or an assignment target.
  pattern(node: Node | null, scope: Scope, assign: boolean): void {
    if (node === null) return;
    switch (node.type) {
      case "Identifier":
        if (assign) this.reference(node, scope);
        else if (node.name.startsWith(HOST) || node.name.startsWith(HELPER)) {
          this.refuse(node.name, node, `The name ${node.name}`);
        }
        return;
      case "ObjectPattern":
        for (const p of node.properties) {
          if (p.type === "RestElement") {
            this.pattern(p.argument, scope, assign);
            continue;
          }
          if (p.computed) this.visit(p.key, scope);
          if (assign && p.shorthand && p.value.type === "Identifier") {
            const name = p.value.name;
            if (this.isFree(name, scope)) {
              this.globals.add(name);
              this.replace(p.start, p.end, `${name}: ${HOST}.${name}`);
            }
            continue;
          }
          if (
            assign && p.shorthand && p.value.type === "AssignmentPattern" &&
            this.isFree(p.value.left.name, scope)
          ) {
            this.refuse(
              "destructuring into a global",
              p,
              "Destructuring into a global with a default",
            );
          }
          this.pattern(p.value, scope, assign);
        }
        return;
      case "ArrayPattern":
        for (const e of node.elements) this.pattern(e, scope, assign);
        return;
      case "AssignmentPattern":
        this.pattern(node.left, scope, assign);
        this.visit(node.right, scope);
        return;
      case "RestElement":
        this.pattern(node.argument, scope, assign);
        return;
      default:
        // A member expression target: `a.b = c`.
        this.visit(node, scope);
    }
  }

  fn(node: Node, scope: Scope, parent?: Node): void {
    if (node.async && node.generator) {
      this.refuse("async generators", node, "An async generator function");
    }
    const inner = new Scope(scope);
    if (node.type === "FunctionExpression" && node.id !== null) {
      inner.names.add(node.id.name);
    }
    const body = new Scope(inner);
    for (const p of node.params) {
      for (const n of boundNames(p)) body.names.add(n);
    }
    if (node.body.type === "BlockStatement") {
      hoist(node.body.body, body);
      declareLexical(node.body.body, body);
    }
    if (node.async) this.asyncFunction(node, parent);
    this.#fns.push(node.async === true);
    try {
      for (const p of node.params) this.pattern(p, body, false);
      if (node.body.type === "BlockStatement") {
        for (const s of node.body.body) this.visit(s, body);
      } else this.visit(node.body, body);
    } finally {
      this.#fns.pop();
    }
  }

  cls(node: Node, scope: Scope): void {
    const inner = new Scope(scope);
    if (node.id !== null) inner.names.add(node.id.name);
    this.visit(node.superClass, scope);
    for (const member of node.body.body) this.visit(member, inner);
  }

  loop(node: Node, scope: Scope): void {
    const inner = new Scope(scope);
    if (node.type === "ForOfStatement" && node.await) {
      this.refuse("for await", node, "A for await loop");
    }
    const head = node.type === "ForStatement" ? node.init : node.left;
    if (head?.type === "VariableDeclaration" && head.kind !== "var") {
      for (const d of head.declarations) {
        for (const n of boundNames(d.id)) inner.names.add(n);
      }
    }
    if (node.type === "ForInStatement" || node.type === "ForOfStatement") {
      if (head.type === "VariableDeclaration") this.visit(head, inner);
      else this.pattern(head, inner, true);
      this.visit(node.right, inner);
    } else {
      this.visit(node.init, inner);
      this.visit(node.test, inner);
      this.visit(node.update, inner);
    }
    const guard = `${HELPER}.tick();`;
    const body: Node = node.body;
    if (body.type === "BlockStatement") {
      this.insert(body.start + 1, ` ${guard}`, false);
    } else {
      this.insert(body.start, `{ ${guard} `, false);
      this.insert(body.end, " }", true);
    }
    this.visit(body, inner);
  }

  await(node: Node): void {
    const inAsync = this.#fns.length > 0 && this.#fns[this.#fns.length - 1];
    if (!inAsync) {
      if (this.#fns.length > 0) return; // the parser refused it already
      this.topLevelAwait = true;
    }
    this.replace(node.start, node.start + 5, "(yield");
    this.insert(node.end, ")", true);
  }

  // `async function f(a) { B }` -> `function f(a) { return
  // __pledge.async("f", this, arguments, function* () { B }); }`.
  asyncFunction(node: Node, parent?: Node): void {
    const src = this.src;
    const line: number = node.loc.start.line;
    let name = node.id?.name as string | undefined;
    if (name === undefined && parent !== undefined) {
      if (parent.type === "VariableDeclarator") name = parent.id?.name;
      if (
        (parent.type === "Property" || parent.type === "MethodDefinition" ||
          parent.type === "PropertyDefinition") && !parent.computed
      ) name = parent.key.name ?? parent.key.value;
    }
    name ??= `async · line ${line}`;
    // Remove the `async` keyword: at the node's start, or before a
    // method's key.
    if (
      parent !== undefined && parent.value === node &&
      (parent.type === "MethodDefinition" ||
        (parent.type === "Property" && parent.method))
    ) {
      const head = src.slice(parent.start, node.start);
      const at = head.search(/\basync\b/);
      if (at >= 0) {
        this.replace(parent.start + at, parent.start + at + 5, "");
      }
    } else {
      this.replace(node.start, node.start + 5, "");
    }
    const args = node.type === "ArrowFunctionExpression" ? "[]" : "arguments";
    const open = `${HELPER}.async(${
      JSON.stringify(name)
    }, this, ${args}, function* () {`;
    if (node.body.type === "BlockStatement") {
      this.insert(node.body.start + 1, ` return ${open}`, false);
      this.insert(node.body.end - 1, "}); ", true);
    } else {
      this.insert(node.body.start, `${open} return (`, false);
      this.insert(node.body.end, "); })", true);
    }
  }

  // Tags an inline callback with its line (and names an anonymous promise
  // reaction after its method).
  tag(call: Node, fn: Node): void {
    const line: number = fn.loc.start.line;
    const callee = call.callee;
    const method = callee.type === "MemberExpression" && !callee.computed
      ? callee.property.name
      : undefined;
    const name = method !== undefined && REACTIONS.has(method)
      ? `, ${JSON.stringify(method)}`
      : "";
    this.insert(fn.start, `${HELPER}.at(${line}, `, false);
    this.insert(fn.end, `${name})`, true);
  }

  importDeclaration(node: Node): void {
    const from = node.source.value as string;
    this.imports.add(from);
    const parts: string[] = [];
    const spec = JSON.stringify(from);
    for (const s of node.specifiers) {
      const local = s.local.name;
      if (s.type === "ImportDefaultSpecifier") {
        parts.push(`const ${local} = ${HELPER}.import(${spec}).default;`);
      } else if (s.type === "ImportNamespaceSpecifier") {
        parts.push(`const ${local} = ${HELPER}.import(${spec});`);
      } else {
        const imported = s.imported.name ?? s.imported.value;
        parts.push(
          `const ${local} = ${HELPER}.import(${spec})[${
            JSON.stringify(imported)
          }];`,
        );
      }
    }
    if (parts.length === 0) parts.push(`${HELPER}.import(${spec});`);
    // Imports are hoisted: evaluate them before the rest of the module.
    this.replace(node.start, node.end, "");
    this.insert(0, parts.join(" ") + "\n", false);
  }

  apply(prefix: string, suffix: string): string {
    const edits = this.edits.sort((a, b) =>
      a.start - b.start || a.kind - b.kind ||
      (a.kind === 0 ? b.seq - a.seq : a.seq - b.seq)
    );
    const src = this.src;
    let out = prefix;
    let at = 0;
    for (const e of edits) {
      if (e.start < at) {
        throw new Error(`overlapping edits at ${e.start}`);
      }
      out += src.slice(at, e.start) + e.text;
      at = e.end;
    }
    return out + src.slice(at) + suffix;
  }
}

/**
 * Transforms a snippet for the simulated host (see the module doc).
 *
 * @param source The snippet.
 * @param options Whether it is an ES module.
 * @returns The code and what it uses.
 * @throws {SnippetSyntaxError} When the snippet does not parse.
 * @throws {NotSimulatedError} When it uses syntax the page cannot simulate.
 */
export function transform(
  source: string,
  options: TransformOptions,
): Transformed {
  let ast: Node;
  try {
    ast = parse(source, {
      ecmaVersion: "latest",
      sourceType: options.module ? "module" : "script",
      locations: true,
      allowHashBang: true,
    }) as unknown as Node;
  } catch (e) {
    const err = e as {
      message: string;
      loc?: { line: number; column: number };
    };
    throw new SnippetSyntaxError(
      err.message,
      err.loc?.line ?? 1,
      err.loc?.column ?? 0,
    );
  }
  const r = new Rewriter(source, options.module);
  r.program(ast);
  const strict = options.module ? '"use strict";\n' : "";
  const code = r.topLevelAwait
    ? r.apply(
      `${strict}return ${HELPER}.async("module", this, [], function* () {\n`,
      "\n});",
    )
    : r.apply(strict, "\n");
  return {
    code,
    globals: [...r.globals].sort(),
    imports: [...r.imports].sort(),
  };
}

/**
 * `console.log` formatting for the playground's output, close to Node's
 * `util.format` for the values snippets print: strings as they are, numbers,
 * arrays and plain objects in Node's inspect style, errors by name and
 * message.
 *
 * @module
 */

const MAX_DEPTH = 2;

function key(k: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(k) ? k : JSON.stringify(k);
}

/** Renders one value as `console.log` shows it inside a structure. */
export function inspect(
  value: unknown,
  depth = 0,
  seen = new Set<object>(),
): string {
  switch (typeof value) {
    case "string":
      return depth === 0 ? value : `'${value.replaceAll("'", "\\'")}'`;
    case "number":
      return Object.is(value, -0) ? "-0" : String(value);
    case "bigint":
      return `${value}n`;
    case "undefined":
    case "boolean":
      return String(value);
    case "symbol":
      return value.toString();
    case "function":
      return value.name
        ? `[Function: ${value.name}]`
        : "[Function (anonymous)]";
  }
  if (value === null) return "null";
  const obj = value as object;
  if (seen.has(obj)) return "[Circular]";
  if (obj instanceof Error) {
    return depth === 0
      ? `${obj.name}: ${obj.message}`
      : `[${obj.name}: ${obj.message}]`;
  }
  if (obj instanceof Date) return obj.toISOString();
  if (typeof (obj as { then?: unknown }).then === "function") {
    const state = (obj as { state?: string }).state;
    return `Promise { <${state ?? "pending"}> }`;
  }
  if (depth > MAX_DEPTH) return Array.isArray(obj) ? "[Array]" : "[Object]";
  seen.add(obj);
  try {
    if (Array.isArray(obj)) {
      const items = obj.map((v) => inspect(v, depth + 1, seen));
      return items.length === 0 ? "[]" : `[ ${items.join(", ")} ]`;
    }
    if (obj instanceof Map) {
      const items = [...obj].map(([k, v]) =>
        `${inspect(k, depth + 1, seen)} => ${inspect(v, depth + 1, seen)}`
      );
      return `Map(${obj.size}) {${
        items.length ? ` ${items.join(", ")} ` : ""
      }}`;
    }
    if (obj instanceof Set) {
      const items = [...obj].map((v) => inspect(v, depth + 1, seen));
      return `Set(${obj.size}) {${
        items.length ? ` ${items.join(", ")} ` : ""
      }}`;
    }
    const entries = Object.entries(obj).map(([k, v]) =>
      `${key(k)}: ${inspect(v, depth + 1, seen)}`
    );
    const name = Object.getPrototypeOf(obj)?.constructor?.name;
    const prefix = name && name !== "Object" ? `${name} ` : "";
    return entries.length === 0
      ? `${prefix}{}`
      : `${prefix}{ ${entries.join(", ")} }`;
  } finally {
    seen.delete(obj);
  }
}

/** Renders the arguments of one `console.log` call as one line of text. */
export function formatLog(args: readonly unknown[]): string {
  return args.map((a) => inspect(a)).join(" ");
}

/**
 * Tiny DOM builders for the playground's UI.
 *
 * @module
 */

/// <reference lib="dom" />

type Child = Node | string | number | null | undefined | false;
type Attrs = Record<
  string,
  string | number | boolean | null | undefined | ((event: Event) => void)
>;

function apply(el: Element, attrs: Attrs | undefined, children: Child[]): void {
  if (attrs !== undefined) {
    for (const [name, value] of Object.entries(attrs)) {
      if (value === undefined || value === null || value === false) continue;
      if (typeof value === "function") {
        el.addEventListener(name.replace(/^on/, ""), value);
      } else el.setAttribute(name, value === true ? "" : String(value));
    }
  }
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    el.append(typeof c === "number" ? String(c) : c);
  }
}

/** Creates an HTML element with attributes (`on*` are listeners) and children. */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs?: Attrs,
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  apply(el, attrs, children);
  return el;
}

const SVG_NS = "http://www.w3.org/2000/svg";

/** Creates an SVG element. */
export function s(
  tag: string,
  attrs?: Attrs,
  ...children: Child[]
): SVGElement {
  const el = document.createElementNS(SVG_NS, tag) as SVGElement;
  apply(el, attrs, children);
  return el;
}

/** The element with `id`, typed; throws when it is missing. */
export function byId<T extends HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (el === null) throw new Error(`#${id} is missing from the page`);
  return el as T;
}

/** Offers `text` as a file download. */
export function download(name: string, type: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = h("a", { href: url, download: name });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

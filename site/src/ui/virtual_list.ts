/**
 * A scrolling list that keeps only its visible rows in the DOM, so that a
 * run of 10,000 events draws as fast as one of ten. Rows have one fixed
 * height.
 *
 * @module
 */

/// <reference lib="dom" />

import { h } from "./dom.ts";

/** Options of a {@linkcode VirtualList}. */
export interface VirtualListOptions {
  /** The height of every row, in px. */
  readonly rowHeight: number;
  /** Builds row `index`. */
  readonly render: (index: number) => HTMLElement;
  /** Extra rows drawn above and below the visible ones. */
  readonly overscan?: number;
}

/** A virtualized list. */
export class VirtualList {
  /** The scrolling element (give it a role and a label). */
  readonly element: HTMLDivElement;
  readonly #inner: HTMLDivElement;
  readonly #options: VirtualListOptions;
  #count = 0;
  #from = -1;
  #to = -1;
  #frame = 0;

  /**
   * Creates an empty list.
   *
   * @param options Row height and renderer.
   */
  constructor(options: VirtualListOptions) {
    this.#options = options;
    this.#inner = h("div", { class: "vl-inner" });
    this.element = h("div", { class: "vl" }, this.#inner);
    this.element.addEventListener("scroll", () => {
      if (this.#frame !== 0) return;
      this.#frame = requestAnimationFrame(() => {
        this.#frame = 0;
        this.#draw(false);
      });
    });
  }

  /** The number of rows. */
  get count(): number {
    return this.#count;
  }

  /** Sets the number of rows and redraws. */
  setCount(count: number): void {
    this.#count = count;
    this.#inner.style.height = `${count * this.#options.rowHeight}px`;
    this.refresh();
  }

  /** Redraws the visible rows (after their data changed). */
  refresh(): void {
    this.#draw(true);
  }

  /** Scrolls so that row `index` is visible (nearest edge). */
  reveal(index: number): void {
    const rh = this.#options.rowHeight;
    const el = this.element;
    const top = index * rh;
    const view = el.clientHeight || 320;
    if (top < el.scrollTop) el.scrollTop = top;
    else if (top + rh > el.scrollTop + view) el.scrollTop = top + rh - view;
    this.#draw(false);
  }

  /** The row element of `index`, when it is drawn. */
  rowOf(index: number): HTMLElement | undefined {
    for (const row of this.#inner.children) {
      if ((row as HTMLElement).dataset.index === String(index)) {
        return row as HTMLElement;
      }
    }
    return undefined;
  }

  #draw(force: boolean): void {
    const rh = this.#options.rowHeight;
    const over = this.#options.overscan ?? 8;
    const view = this.element.clientHeight || 320;
    const from = Math.max(0, Math.floor(this.element.scrollTop / rh) - over);
    const to = Math.min(
      this.#count,
      Math.ceil((this.element.scrollTop + view) / rh) + over,
    );
    if (!force && from === this.#from && to === this.#to) return;
    this.#from = from;
    this.#to = to;
    const rows: HTMLElement[] = [];
    for (let i = from; i < to; i++) {
      const row = this.#options.render(i);
      row.dataset.index = String(i);
      row.style.top = `${i * rh}px`;
      row.style.height = `${rh}px`;
      rows.push(row);
    }
    this.#inner.replaceChildren(...rows);
  }
}

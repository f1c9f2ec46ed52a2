/**
 * The export dialog: the SVG, Mermaid or text of a run, with a preview for
 * SVG, a copy button and a download.
 *
 * @module
 */

/// <reference lib="dom" />

import { byId, download, h } from "./dom.ts";

/** Shows `text` in the export dialog. */
export function showExport(
  title: string,
  text: string,
  fileName: string,
  type: string,
): void {
  const dialog = byId<HTMLDialogElement>("export-dialog");
  const body = byId<HTMLElement>("export-body");
  const area = h("textarea", {
    class: "export-text",
    readonly: true,
    "aria-label": title,
    rows: 14,
  });
  area.value = text;
  const status = h("span", { class: "export-status", role: "status" });
  const preview = type === "image/svg+xml"
    ? h(
      "div",
      { class: "export-preview" },
      h("img", {
        alt: title,
        src: `data:image/svg+xml;charset=utf-8,${encodeURIComponent(text)}`,
      }),
    )
    : null;
  body.replaceChildren(
    h("h2", { id: "export-title" }, title),
    ...(preview === null ? [] : [preview]),
    area,
    h(
      "p",
      { class: "export-actions" },
      h("button", {
        type: "button",
        onclick: async () => {
          try {
            await navigator.clipboard.writeText(text);
            status.textContent = "Copied.";
          } catch {
            area.select();
            status.textContent = "Selected: press Ctrl+C to copy.";
          }
        },
      }, "Copy"),
      h("button", {
        type: "button",
        onclick: () => download(fileName, type, text),
      }, `Download ${fileName}`),
      status,
    ),
  );
  dialog.setAttribute("aria-labelledby", "export-title");
  if (!dialog.open) dialog.showModal();
  area.focus();
}

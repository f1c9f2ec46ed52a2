/**
 * The page's state in its URL fragment, so that a link reproduces a run:
 * `#s=<starter id>` for an unedited starter snippet, `#code=<base64url of
 * the UTF-8 code>` otherwise, and `&p=<profile>[,<profile>]` for one profile
 * or two side by side.
 *
 * @module
 */

import { isProfileId, type ProfileId } from "./adapter.ts";
import { snippetById } from "./snippets.ts";

/** What a link reproduces. */
export interface PageState {
  /** The code. */
  readonly code: string;
  /** One profile, or two to compare. */
  readonly profiles: readonly ProfileId[];
}

/** `text` as base64url of its UTF-8 bytes (as links carry code). */
export function toBase64Url(text: string): string {
  const bytes = new TextEncoder().encode(text);
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary).replaceAll("+", "-").replaceAll("/", "_")
    .replace(/=+$/, "");
}

function fromBase64Url(text: string): string {
  const b64 = text.replaceAll("-", "+").replaceAll("_", "/");
  const binary = atob(b64 + "=".repeat((4 - b64.length % 4) % 4));
  const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
  return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
}

/**
 * The URL fragment (without `#`) for `state`: the starter's id when the
 * code is that starter's, otherwise the code itself.
 *
 * @param state The code and profiles.
 * @param starterId The starter the code came from, if any.
 * @returns The fragment.
 */
export function encodeState(state: PageState, starterId?: string): string {
  const starter = starterId === undefined ? undefined : snippetById(starterId);
  const source = starter !== undefined && starter.code === state.code
    ? `s=${encodeURIComponent(starter.id)}`
    : `code=${toBase64Url(state.code)}`;
  return `${source}&p=${state.profiles.join(",")}`;
}

/** A decoded fragment: what it sets, and what was wrong with it. */
export interface DecodedState {
  /** The code, when the fragment names one. */
  readonly code?: string;
  /** The starter it names, if any. */
  readonly starterId?: string;
  /** The profiles, when the fragment names valid ones. */
  readonly profiles?: readonly ProfileId[];
  /** Problems found, for a message on the page. */
  readonly problems: readonly string[];
}

/**
 * Reads a URL fragment written by {@linkcode encodeState} (with or without
 * its `#`).
 *
 * @param fragment The fragment.
 * @returns What it sets.
 */
export function decodeState(fragment: string): DecodedState {
  const params = new URLSearchParams(fragment.replace(/^#/, ""));
  const problems: string[] = [];
  let code: string | undefined;
  let starterId: string | undefined;
  const s = params.get("s");
  if (s !== null) {
    const starter = snippetById(s);
    if (starter === undefined) {
      problems.push(`There is no starter snippet "${s}".`);
    } else {
      code = starter.code;
      starterId = starter.id;
    }
  }
  const c = params.get("code");
  if (c !== null) {
    try {
      code = fromBase64Url(c);
      starterId = undefined;
    } catch {
      problems.push("The code in the link is damaged (not base64url UTF-8).");
    }
  }
  let profiles: ProfileId[] | undefined;
  const p = params.get("p");
  if (p !== null) {
    const ids = p.split(",").filter((x) => x !== "");
    const bad = ids.filter((x) => !isProfileId(x));
    if (bad.length > 0) problems.push(`Unknown profile ${bad.join(", ")}.`);
    const good = ids.filter(isProfileId).slice(0, 2);
    if (good.length > 0) profiles = good;
  }
  return {
    ...(code === undefined ? {} : { code }),
    ...(starterId === undefined ? {} : { starterId }),
    ...(profiles === undefined ? {} : { profiles }),
    problems,
  };
}

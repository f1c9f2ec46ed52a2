/**
 * The Web Worker that runs snippets, so that a runaway snippet can never
 * freeze the page: the page sends `{ id, code, options }`, the worker
 * answers `{ id, packed }` (the result in columns, see packed.ts; or
 * `{ id, failure }` when the page itself
 * failed). The page also ends a worker that does not answer in time.
 *
 * @module
 */

import { packResult, transferables } from "./packed.ts";
import { type RunOptions, runSnippet } from "./run.ts";

/** A request from the page. */
export interface WorkerRequest {
  /** Matches the answer to the request. */
  readonly id: number;
  /** The snippet. */
  readonly code: string;
  /** The profile and limits. */
  readonly options: RunOptions;
}

interface WorkerScope {
  onmessage: ((event: { data: WorkerRequest }) => void) | null;
  postMessage(message: unknown, transfer?: Transferable[]): void;
}

const scope = globalThis as unknown as WorkerScope;

scope.onmessage = ({ data }) => {
  try {
    const packed = packResult(runSnippet(data.code, data.options));
    scope.postMessage({ id: data.id, packed }, transferables(packed));
  } catch (e) {
    scope.postMessage({
      id: data.id,
      failure: String((e as Error)?.stack ?? e),
    });
  }
};

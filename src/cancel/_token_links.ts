/**
 * What a cancellation links to: the core of a `CancellationToken` or of an
 * `AbortSignal` given as a parent (validated, with the option named), and
 * the links themselves. `cancellation_token.ts` installs the access to its
 * tokens when it loads.
 *
 * @module
 */

import { typeError } from "../core/_validate.ts";
import { coreOfSignal, type SignalCore } from "./_signal_core.ts";
import type { TokenCore } from "./_token_core.ts";

// Access to `CancellationToken`, installed by its class when it loads: the
// token of a core (its facade, created on first use), and the core of a
// token (undefined for anything else). No token exists before the class has
// loaded, so until then nothing is a token.
let tokenOfCore: ((core: SignalCore) => unknown) | undefined;
let coreOfToken: ((value: unknown) => SignalCore | undefined) | undefined;

/** Called once, by `cancellation_token.ts`. */
export function installTokenAccess(access: {
  tokenOf: (core: SignalCore) => unknown;
  coreOf: (value: unknown) => SignalCore | undefined;
}): void {
  tokenOfCore = access.tokenOf;
  coreOfToken = access.coreOf;
}

/** The `CancellationToken` of a core, created on first use. */
export function tokenOf(core: SignalCore): unknown {
  return tokenOfCore!(core);
}

/** The core of a token or signal; throws a TypeError naming `option`. */
export function parentCore(
  action: string,
  option: string,
  value: unknown,
): SignalCore {
  const core = coreOfToken?.(value);
  if (core !== undefined) return core;
  if (value instanceof AbortSignal) return coreOfSignal(value);
  return typeError(
    action,
    option,
    "a CancellationToken or an AbortSignal",
    value,
  );
}

/**
 * The cores of an iterable of tokens or signals; throws a TypeError naming
 * `option` (or `option[i]`) before anything is linked.
 */
export function parentCores(
  action: string,
  option: string,
  values: unknown,
): SignalCore[] {
  if (
    values === null || values === undefined ||
    typeof (values as Iterable<unknown>)[Symbol.iterator] !== "function"
  ) {
    typeError(action, option, "an iterable", values);
  }
  const cores: SignalCore[] = [];
  for (const value of values as Iterable<unknown>) {
    cores.push(parentCore(action, `${option}[${cores.length}]`, value));
  }
  return cores;
}

/**
 * Links `child` to every core of `parents` (validated already). When a parent
 * is already cancelled, the child is cancelled with its reason and nothing is
 * linked.
 */
export function linkCore(child: TokenCore, parents: SignalCore[]): void {
  for (let i = 0; i < parents.length; i++) {
    const parent = parents[i]!;
    if (parent.cancelled) {
      child.cancel(parent.currentReason);
      return;
    }
  }
  for (let i = 0; i < parents.length; i++) child.linkTo(parents[i]!);
}

/**
 * The state behind an `EventLoopHost` (its engine, its turn model and its
 * trace), handed to the `EventLoop` subclass that drives it, and the check
 * that the profile provides an API. The host keeps the state in `#private`
 * fields and registers the one accessor here from a static block, so the
 * state stays out of the public surface.
 *
 * @module
 */

import { typeError } from "../core/_validate.ts";
import type { LoopEngine } from "./_loop_engine.ts";
import type { LoopTurns } from "./_loop_models.ts";
import type { Profile, ProfileApis } from "./profiles.ts";
import type { Trace } from "./trace.ts";

/** What a driver needs from a host. */
export interface LoopParts {
  readonly engine: LoopEngine;
  readonly turns: LoopTurns;
  readonly trace: Trace;
}

let partsOf: ((host: object) => LoopParts) | undefined;

/** Registers the accessor (called once, by the host's static block). */
export function exposeLoopParts(accessor: (host: object) => LoopParts): void {
  partsOf = accessor;
}

/** The state of `host`, an `EventLoopHost`. */
export function loopParts(host: object): LoopParts {
  return partsOf!(host);
}

/** Throws a `TypeError` when `profile` lacks `api` (called as `name`). */
export function requireApi(
  profile: Profile,
  api: keyof ProfileApis,
  name: string = api,
): void {
  if (!profile.apis[api]) {
    typeError(
      `call ${name}`,
      "profile",
      `a profile that provides ${api}`,
      profile.name,
    );
  }
}

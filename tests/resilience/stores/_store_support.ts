/**
 * Test stores: a wrapper over a real store that can be switched to fail in
 * each way a store can (reject, throw, hang past the time limit, answer
 * nonsense), and counts the calls that reach it.
 *
 * @module
 */

import type { FleetStore } from "../../../src/resilience/stores/store_contracts.ts";

/** How a {@linkcode FlakyStore} answers. */
export type StoreBehaviour = "ok" | "reject" | "throw" | "hang" | "nonsense";

/** A store whose behaviour the test switches. */
export interface FlakyStore extends FleetStore {
  behaviour: StoreBehaviour;
  /** Calls made, whatever the behaviour. */
  calls: number;
  /** Calls that hung, settled by `release()`. */
  release(): void;
}

/** Wraps `inner`; `nonsense` is what a nonsense answer resolves to. */
export function flakyStore(
  inner: FleetStore,
  nonsense: unknown = { granted: "yes" },
): FlakyStore {
  const hanging: (() => void)[] = [];
  function answer<T>(real: () => Promise<T>): Promise<T> {
    store.calls++;
    switch (store.behaviour) {
      case "ok":
        return real();
      case "reject":
        return Promise.reject(new Error("store down"));
      case "throw":
        throw new Error("store broken");
      case "nonsense":
        return Promise.resolve(nonsense as T);
      case "hang":
        return new Promise<T>((_, reject) =>
          hanging.push(() => reject(new Error("late failure")))
        );
    }
  }
  const store: FlakyStore = {
    behaviour: "ok",
    calls: 0,
    release() {
      for (const settle of hanging.splice(0)) settle();
    },
    takeTokens: (key, request) => answer(() => inner.takeTokens(key, request)),
    updateCircuit: (key, command) =>
      answer(() => inner.updateCircuit(key, command)),
    updateBudget: (key, request) =>
      answer(() => inner.updateBudget(key, request)),
  };
  return store;
}

export { all, allSettled } from "./src/combinators/all.ts";
export { mapConcurrent } from "./src/combinators/map_concurrent.ts";
export { timeout } from "./src/combinators/timeout.ts";
export { Future } from "./src/future/future.ts";

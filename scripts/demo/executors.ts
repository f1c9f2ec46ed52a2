/** The executors part of the tour (to be written). */
export function demo(): Promise<void> {
  console.log("(coming soon)");
  return Promise.resolve();
}

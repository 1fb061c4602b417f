// How long a process that keeps crashing waits before its next start (dynos and add-on servers
// alike): the first crash restarts at once, the second after backoffInitialMs, doubling with each
// further crash up to backoffMaxMs.
export function crashBackoffMs(crashes: number, o: {backoffInitialMs: number, backoffMaxMs: number}): number {
  return crashes <= 1 ? 0 : Math.min(o.backoffInitialMs * 2 ** (crashes - 2), o.backoffMaxMs)
}

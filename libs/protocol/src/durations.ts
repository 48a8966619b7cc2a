/** A duration as every program and the page say it: `3000` → `3 s`, `250` → `0.25 s`. */
export function formatSeconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(2))} s`;
}

/** A progress bar on a terminal, a line every 10% elsewhere (logs). */
export class ProgressBar {
  private shownTenth = -1;
  private drawn = false;

  constructor(
    private readonly write: (text: string) => void,
    private readonly terminal: boolean,
    /** How an amount is said (default: bytes). */
    private readonly unit: (amount: number) => string = formatBytes,
  ) {}

  show(done: number, total: number): void {
    const fraction = total === 0 ? 1 : Math.min(1, done / total);
    const text = `${this.unit(done)} of ${this.unit(total)} (${Math.floor(fraction * 100)}%)`;
    if (this.terminal) {
      const width = 30;
      const filled = Math.round(fraction * width);
      this.write(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${text}`);
      this.drawn = true;
      return;
    }
    const tenth = Math.floor(fraction * 10);
    if (tenth === this.shownTenth) return;
    this.shownTenth = tenth;
    this.write(`${text}\n`);
  }

  end(): void {
    if (this.drawn) this.write('\n');
    this.drawn = false;
  }
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

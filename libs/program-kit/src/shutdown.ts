export interface ShutdownOptions {
  /** Where to say what is happening; defaults to stderr. */
  log?: (message: string) => void;
  /** Signals to handle. Default SIGINT and SIGTERM. */
  signals?: NodeJS.Signals[];
  /** Ends the process; replaceable in tests. */
  exit?: (code: number) => void;
}

/**
 * Closes cleanly on the first SIGINT/SIGTERM (exit 0 once `close` resolves, 1 if it throws); a second
 * signal while closing exits at once with 130. Returns a function that removes the handlers.
 */
export function closeOnSignals(close: () => Promise<void>, options: ShutdownOptions = {}): () => void {
  const log = options.log ?? ((message: string) => process.stderr.write(`${message}\n`));
  const exit = options.exit ?? ((code: number) => process.exit(code));
  const signals = options.signals ?? ['SIGINT', 'SIGTERM'];
  let closing = false;
  const handler = (signal: NodeJS.Signals) => {
    if (closing) {
      log(`${signal} again: stopping now`);
      exit(130);
      return;
    }
    closing = true;
    log(`${signal}: shutting down…`);
    close().then(
      () => exit(0),
      (error: unknown) => {
        log(`shutdown failed: ${error instanceof Error ? error.message : String(error)}`);
        exit(1);
      },
    );
  };
  for (const signal of signals) process.on(signal, handler);
  return () => {
    for (const signal of signals) process.off(signal, handler);
  };
}

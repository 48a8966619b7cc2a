import { ConsoleLogger, ConsoleLoggerOptions, LogLevel } from '@nestjs/common';

/** Contexts of Nest's own lines while it starts an application (modules, routes, gateway events). */
const NEST_START_UP_CONTEXTS = new Set([
  'NestFactory',
  'InstanceLoader',
  'RoutesResolver',
  'RouterExplorer',
  'WebSocketsController',
  'NestApplication',
]);

export interface QuietStartLoggerOptions extends ConsoleLoggerOptions {
  /**
   * Gathers the lines for stdout and writes them together at most this often, ms: one write a tenth of a second
   * instead of one per line (the agent logs every line it writes, 100 a second). Lines for stderr flush what
   * waits first, so the order holds; so does the process's exit. Default 0: each line at once.
   */
  readonly batchMs?: number;
}

/**
 * Nest's console logger without Nest's own start-up lines below warning level (they only show with
 * --verbose); the program's own lines (`wrote HOME`, `login: …`) all pass. Its timestamp is formatted once a
 * second (it shows seconds), not for every line.
 */
export class QuietStartLogger extends ConsoleLogger {
  private readonly batchMs: number;
  private pending = '';
  private flushTimer: NodeJS.Timeout | undefined;
  private stampSecond = -1;
  private stamp = '';

  constructor(options: QuietStartLoggerOptions = {}) {
    super(options);
    this.batchMs = options.batchMs ?? 0;
    if (this.batchMs > 0) process.once('exit', () => this.flush());
  }

  /** Writes what waits for stdout now. */
  flush(): void {
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    if (this.pending === '') return;
    const text = this.pending;
    this.pending = '';
    process.stdout.write(text);
  }

  protected override getTimestamp(): string {
    const second = Math.floor(Date.now() / 1000);
    if (second !== this.stampSecond) {
      this.stampSecond = second;
      this.stamp = super.getTimestamp();
    }
    return this.stamp;
  }

  protected override printMessages(
    messages: unknown[],
    context?: string,
    logLevel?: LogLevel,
    writeStreamType?: 'stdout' | 'stderr',
    errorStack?: unknown,
  ): void {
    const level = logLevel ?? 'log';
    if (level !== 'warn' && level !== 'error' && level !== 'fatal' && NEST_START_UP_CONTEXTS.has(context ?? '')) return;
    if (this.batchMs === 0 || writeStreamType === 'stderr' || this.options.json || this.options.forceConsole) {
      this.flush();
      super.printMessages(messages, context, logLevel, writeStreamType, errorStack);
      return;
    }
    const pid = this.formatPid(process.pid);
    const contextMessage = this.formatContext(context ?? '');
    const formattedLevel = level.toUpperCase().padStart(7, ' ');
    for (const message of messages) {
      const diff = this.updateAndGetTimestampDiff();
      this.pending += this.formatMessage(level, message, pid, formattedLevel, contextMessage, diff);
    }
    if (this.flushTimer === undefined) {
      this.flushTimer = setTimeout(() => this.flush(), this.batchMs);
      this.flushTimer.unref();
    }
  }
}

import { ConsoleLogger, LogLevel } from '@nestjs/common';

/** Contexts of Nest's own lines while it starts an application (modules, routes, gateway events). */
const NEST_START_UP_CONTEXTS = new Set([
  'NestFactory',
  'InstanceLoader',
  'RoutesResolver',
  'RouterExplorer',
  'WebSocketsController',
  'NestApplication',
]);

/**
 * Nest's console logger without Nest's own start-up lines below warning level (they only show with
 * --verbose); the program's own lines (`wrote HOME`, `login: …`) all pass. Its timestamp shows seconds, so it
 * is formatted once a second rather than for every line (the agent logs each line it writes, 100 a second).
 */
export class QuietStartLogger extends ConsoleLogger {
  private stampSecond = -1;
  private stamp = '';

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
    super.printMessages(messages, context, logLevel, writeStreamType, errorStack);
  }
}

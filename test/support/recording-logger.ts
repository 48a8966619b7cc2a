import { ConsoleLogger } from '@nestjs/common';

/** A Nest logger that keeps every line (for asserting what was, and was not, logged) and prints nothing. */
export class RecordingLogger extends ConsoleLogger {
  readonly lines: string[] = [];

  protected override printMessages(messages: unknown[], context = '', logLevel = 'log'): void {
    for (const message of messages) {
      this.lines.push(`${logLevel} [${context}] ${typeof message === 'string' ? message : JSON.stringify(message)}`);
    }
  }

  text(): string {
    return this.lines.join('\n');
  }
}

import { Injectable } from '@nestjs/common';

/** Where commands write; tests swap it with overrideProvider to read what a command printed. */
@Injectable()
export class CliOutput {
  line(text: string): void {
    process.stdout.write(`${text}\n`);
  }

  error(text: string): void {
    process.stderr.write(`${text}\n`);
  }

  exitCode(code: number): void {
    process.exitCode = code;
  }
}

/**
 * Ends the process with 0, saying nothing, once the reader of stdout or stderr has gone (`neck status | head -1`):
 * a producer whose reader closed early has done its job, as `head` expects. Node ignores SIGPIPE, so without
 * this a write after that fails with EPIPE, and the unhandled 'error' event crashes with a stack trace. Any other
 * write error ends it with 1 (saying so on stderr when stdout failed).
 */
export function endQuietlyWhenOutputCloses(exit: (code: number) => void = (code) => process.exit(code)): void {
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') return exit(0);
    process.stderr.write(`neck: cannot write to stdout: ${error.message}\n`);
    exit(1);
  });
  process.stderr.on('error', (error: NodeJS.ErrnoException) => exit(error.code === 'EPIPE' ? 0 : 1));
}

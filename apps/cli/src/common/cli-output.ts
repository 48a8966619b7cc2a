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

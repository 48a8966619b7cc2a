import { Injectable } from '@nestjs/common';
import { Asker, terminalAsker } from '@neck-signal/program-kit';

/** Asks the first-run questions on the terminal; tests replace it with scripted answers. */
@Injectable()
export class CliAsker implements Asker {
  text(message: string, fallback?: string): Promise<string> {
    return terminalAsker.text(message, fallback);
  }

  secret(message: string): Promise<string> {
    return terminalAsker.secret(message);
  }
}

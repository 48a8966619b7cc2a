import { Injectable } from '@nestjs/common';
import { Asker, SettingsContext, isInteractive } from '@neck-signal/program-kit';

/** What commands read from the world: the environment, standard input and output, and whether a person is there. */
@Injectable()
export class CliContext {
  readonly env: NodeJS.ProcessEnv = process.env;
  readonly stdin: NodeJS.ReadableStream = process.stdin;
  readonly stdout: NodeJS.WritableStream = process.stdout;

  /** stdin and stdout are terminals (and not CI): questions may be asked, the REPL is interactive. */
  get interactive(): boolean {
    return isInteractive(this.env);
  }

  /** What loadCliSettings needs: our environment, the asker only when a person can answer, and where to say things. */
  settingsContext(asker: Asker, say: (message: string) => void): SettingsContext {
    return { env: this.env, ...(this.interactive ? { asker } : {}), say };
  }
}

import { Injectable } from '@nestjs/common';

/** A wait for SIGINT/SIGTERM; `dispose()` stops listening when the command ends some other way. */
export interface SignalWait {
  readonly received: Promise<NodeJS.Signals>;
  dispose(): void;
}

const SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM'];

/** How long-running commands (demo, sim) learn that they should stop; tests replace it. */
@Injectable()
export class ShutdownSignals {
  /**
   * Resolves with the first SIGINT or SIGTERM. A second one while the command is still stopping ends the
   * process at once with 130, as a person pressing Ctrl-C twice expects.
   */
  wait(): SignalWait {
    let first: ((signal: NodeJS.Signals) => void) | undefined;
    const again = () => process.exit(130);
    const received = new Promise<NodeJS.Signals>((resolve) => {
      first = (signal: NodeJS.Signals) => {
        for (const name of SIGNALS) {
          process.off(name, onSignal);
          process.on(name, again);
        }
        resolve(signal);
      };
    });
    const onSignal = (signal: NodeJS.Signals) => first?.(signal);
    for (const name of SIGNALS) process.on(name, onSignal);
    return {
      received,
      dispose: () => {
        for (const name of SIGNALS) {
          process.off(name, onSignal);
          process.off(name, again);
        }
      },
    };
  }
}

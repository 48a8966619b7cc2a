import { Command, Help, Option } from 'nest-commander';
import { DIRECTIVE_LINES } from '@neck-signal/protocol';
import { CliAsker } from '../common/cli-asker';
import { CliContext } from '../common/cli-context';
import { CliOutput } from '../common/cli-output';
import { reportFailures } from '../common/command-failure';
import { TimedHubCommandRunner } from '../common/hub-command';
import { SendFlags, sendOneShot } from '../send/send.command';

export interface StopFlags extends SendFlags {
  release?: boolean;
}

/**
 * `neck stop`: STOP to every neck (or the --target one): what waits is dropped and every motion refused until
 * RELEASE (`neck stop --release`). Anyone may, whoever holds the neck's control.
 */
@Command({
  name: 'stop',
  description:
    'STOP the necks (or --target one): drop what waits, refuse all motion until --release; a move under way still ends',
})
export class StopCommand extends TimedHubCommandRunner {
  constructor(
    private readonly output: CliOutput,
    private readonly context: CliContext,
    private readonly asker: CliAsker,
  ) {
    super();
  }

  @Option({ flags: '-t, --target <uuid>', description: 'stop this neck only (default: every neck)' })
  parseTarget(value: string): string {
    return value;
  }

  @Option({ flags: '--release', description: 'lift a STOP (RELEASE): the neck takes motion again' })
  parseRelease(): boolean {
    return true;
  }

  @Help('after')
  examples(): string {
    return `
The firmware cannot halt a move already under way: STOP holds the neck at the target it was last given.
Exit codes: 0 applied, 1 rejected, 2 usage or configuration error, 3 no neck answered in time.

Examples:
  neck stop
  neck stop --release`;
  }

  async run(_args: string[], flags: StopFlags = {}): Promise<void> {
    await reportFailures(this.output, async () => {
      const line = flags.release ? DIRECTIVE_LINES.release : DIRECTIVE_LINES.stop;
      await sendOneShot([line], flags, { output: this.output, context: this.context, asker: this.asker });
    });
  }
}

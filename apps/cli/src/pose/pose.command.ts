import { Command, Help, Option } from 'nest-commander';
import { DEFAULT_GOTO_MS } from '@neck-signal/protocol';
import { CliAsker } from '../common/cli-asker';
import { CliContext } from '../common/cli-context';
import { CliOutput } from '../common/cli-output';
import { CommandFailure, ExitCode, reportFailures } from '../common/command-failure';
import { TimedHubCommandRunner } from '../common/hub-command';
import { durationOption } from '../common/options';
import { GotoFlags, sendMotion } from '../goto/goto.command';

/** `neck pose save NAME` keeps the pose the agent last wrote under NAME; `neck pose go NAME` eases back to it. */
@Command({
  name: 'pose',
  arguments: '<save|go> <name>',
  description: 'save the current head pose under a name (kept by the agent), or ease back to a saved one',
})
export class PoseCommand extends TimedHubCommandRunner {
  constructor(
    private readonly output: CliOutput,
    private readonly context: CliContext,
    private readonly asker: CliAsker,
  ) {
    super();
  }

  private deps() {
    return { output: this.output, context: this.context, asker: this.asker };
  }

  @Option({ flags: '-t, --target <uuid>', description: 'this neck only (default: every neck)' })
  parseTarget(value: string): string {
    return value;
  }

  @Option({ flags: '--in <duration>', description: `pose go: how long the move takes (default ${DEFAULT_GOTO_MS}ms)` })
  parseIn(value: string): number {
    return durationOption(value);
  }

  @Help('after')
  examples(): string {
    return `
Names are 1-32 letters, digits, _ or -; the agent keeps them in poses.json in its config dir.

Examples:
  neck pose save look-left
  neck pose go look-left --in 1.5s`;
  }

  async run([verb = '', name = '']: string[], flags: GotoFlags = {}): Promise<void> {
    await reportFailures(this.output, async () => {
      if (verb === 'save') return sendMotion(`POSE SAVE ${name}`, 0, flags, this.deps());
      if (verb !== 'go')
        throw new CommandFailure(`expected pose save NAME or pose go NAME, not ${verb}`, ExitCode.Usage);
      const durationMs = flags.in ?? DEFAULT_GOTO_MS;
      return sendMotion(`POSE GO ${name} IN ${durationMs}`, durationMs, flags, this.deps());
    });
  }
}

import { Command, Help, Option } from 'nest-commander';
import { DEFAULT_GOTO_MS } from '@neck-signal/protocol';
import { CliAsker } from '../common/cli-asker';
import { CliContext } from '../common/cli-context';
import { CliOutput } from '../common/cli-output';
import { CommandFailure, ExitCode, reportFailures } from '../common/command-failure';
import { DEFAULT_TIMEOUT_MS, TimedHubCommandRunner } from '../common/hub-command';
import { loadCliSettings } from '../config/cli-settings';
import { fetchHealth } from '../status/status.command';
import { durationOption } from '../common/options';
import { GotoFlags, sendMotion } from '../goto/goto.command';

/**
 * `neck pose save NAME` keeps the pose the agent last wrote under NAME; `neck pose go NAME` eases back to it;
 * `neck pose list` says the names each neck keeps (from its last neck_status, as the hub holds it).
 */
@Command({
  name: 'pose',
  arguments: '<save|go|list> [name]',
  description: 'save the current head pose under a name (kept by the agent), ease back to a saved one, or list them',
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
Names are 1-32 letters, digits, _ or -; the agent keeps them in poses.json in its config dir. pose list reads
the necks' last status from the hub (no login needed, as for neck status); -t limits it to one neck.

Examples:
  neck pose save look-left
  neck pose go look-left --in 1.5s
  neck pose list`;
  }

  async run([verb = '', name = '']: string[], flags: GotoFlags = {}): Promise<void> {
    await reportFailures(this.output, async () => {
      if (verb === 'list') return this.list(flags);
      if (verb === 'save') return sendMotion(`POSE SAVE ${name}`, 0, flags, this.deps());
      if (verb !== 'go')
        throw new CommandFailure(`expected pose save NAME, pose go NAME or pose list, not ${verb}`, ExitCode.Usage);
      const durationMs = flags.in ?? DEFAULT_GOTO_MS;
      return sendMotion(`POSE GO ${name} IN ${durationMs}`, durationMs, flags, this.deps());
    });
  }

  private async list(flags: GotoFlags): Promise<void> {
    const settings = await loadCliSettings(
      flags,
      this.context.settingsContext(this.asker, (message) => this.output.error(message)),
    );
    const health = await fetchHealth(settings, flags.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    const necks = health.necks.filter((neck) => flags.target === undefined || neck.uuid === flags.target);
    if (necks.length === 0) {
      const which = flags.target === undefined ? 'no neck' : `no neck ${flags.target}`;
      throw new CommandFailure(`${which} reports its status to the hub at ${settings.serverUrl}`, ExitCode.NoAnswer);
    }
    for (const neck of necks) {
      if (neck.poses === undefined) this.output.line(`neck ${neck.uuid}: does not report its poses (an older agent)`);
      else if (neck.poses.length === 0) this.output.line(`neck ${neck.uuid}: no poses saved (neck pose save NAME)`);
      else this.output.line(`neck ${neck.uuid}: ${neck.poses.join(', ')}`);
    }
  }
}

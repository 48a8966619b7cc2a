import { Command, Help, Option } from 'nest-commander';
import { InvalidArgumentError } from 'commander';
import { DEFAULT_GOTO_MS, EASINGS, parseMotionCommand } from '@neck-signal/protocol';
import type { Easing } from '@neck-signal/protocol';
import { CliAsker } from '../common/cli-asker';
import { CliContext } from '../common/cli-context';
import { CliOutput } from '../common/cli-output';
import { CommandFailure, ExitCode, reportFailures } from '../common/command-failure';
import { DEFAULT_TIMEOUT_MS, TimedHubCommandRunner } from '../common/hub-command';
import { durationOption } from '../common/options';
import { SendFlags, sendOneShot } from '../send/send.command';

export interface GotoFlags extends SendFlags {
  /** --in, ms. */
  in?: number;
  ease?: Easing;
}

/**
 * `neck goto X50,Y-20 [--in 800ms] [--ease minjerk|linear]`: the agent eases the head from where it is to the
 * pose given, writing a line every 20 ms on its own clock; any newer motion command or STOP ends the move.
 */
@Command({
  name: 'goto',
  arguments: '<pose>',
  description:
    'ease the head to a pose (the agent writes it at 50 Hz, min-jerk by default); a newer command or STOP ends the move',
  argsDescription: { pose: 'head axes to reach, e.g. X50,Y-20,H30 (axes left out stay where they are)' },
})
export class GotoCommand extends TimedHubCommandRunner {
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

  @Option({ flags: '-t, --target <uuid>', description: 'move this neck only (default: every neck)' })
  parseTarget(value: string): string {
    return value;
  }

  @Option({
    flags: '--in <duration>',
    description: `how long the move takes, e.g. 800ms or 2s (default ${DEFAULT_GOTO_MS}ms)`,
  })
  parseIn(value: string): number {
    return durationOption(value);
  }

  @Option({ flags: '--ease <curve>', description: 'minjerk (10t³−15t⁴+6t⁵, default) or linear' })
  parseEase(value: string): Easing {
    const ease = EASINGS.find((name) => name === value.toLowerCase());
    if (!ease) throw new InvalidArgumentError(`expected ${EASINGS.join(' or ')}`);
    return ease;
  }

  @Option({ flags: '--take', description: 'take the neck’s control first if another operator holds it (TAKE)' })
  parseTake(): boolean {
    return true;
  }

  @Help('after')
  examples(): string {
    return `
The ack comes when the move is over: applied (every step handed to the firmware), superseded (a newer motion
command ended it; exit 0) or rejected (STOP, another operator's TAKE; exit 1).

Examples:
  neck goto X50,Y-20
  neck goto X0,Y0,H30 --in 2s --ease linear`;
  }

  async run([pose = '']: string[], flags: GotoFlags = {}): Promise<void> {
    await reportFailures(this.output, async () => {
      const durationMs = flags.in ?? DEFAULT_GOTO_MS;
      await sendMotion(`GOTO ${pose} IN ${durationMs} EASE ${flags.ease ?? 'minjerk'}`, durationMs, flags, this.deps());
    });
  }
}

/** Checks a motion command here, sends it (after TAKE with --take) and waits the move's length besides the timeout. */
export async function sendMotion(
  text: string,
  durationMs: number,
  flags: SendFlags,
  deps: { output: CliOutput; context: CliContext; asker: CliAsker },
): Promise<void> {
  const parsed = parseMotionCommand(text);
  if (!parsed?.ok) {
    throw new CommandFailure(`rejected: ${parsed ? parsed.error.message : text} (nothing sent)`, ExitCode.Rejected);
  }
  const lines = flags.take ? ['TAKE', parsed.line] : [parsed.line];
  const timeoutMs = (flags.timeoutMs ?? DEFAULT_TIMEOUT_MS) + durationMs;
  await sendOneShot(lines, { ...flags, timeoutMs }, deps);
}

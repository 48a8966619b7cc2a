import { Command, Help, Option } from 'nest-commander';
import { AckTimeoutError, CommandResult, HubClient, HubError, NotConnectedError } from '@neck-signal/hub-client';
import {
  DIRECTIVE_LINES,
  Events,
  formatSeconds,
  parseMotionCommand,
  parseOperatorCommand,
  PeerInfoDto,
} from '@neck-signal/protocol';
import { CliOutput } from '../common/cli-output';
import { CliAsker } from '../common/cli-asker';
import { CliContext } from '../common/cli-context';
import { CommandFailure, ExitCode, reportFailures } from '../common/command-failure';
import { DEFAULT_TIMEOUT_MS, ONE_SHOT_RETRY_MS, TimedHubCommandRunner, TimedHubFlags } from '../common/hub-command';
import { loadCliSettings } from '../config/cli-settings';
import { connectToHub } from '../hub/connect';
import { formatAck, isNeck } from '../hub/format';

export interface SendFlags extends TimedHubFlags {
  target?: string;
  /** Send TAKE first. */
  take?: boolean;
}

/**
 * `neck send CMD…`: one command, checked here, sent as `neck_command` to every neck (or the --target one);
 * waits for its ack. Exit 0 written (or superseded by a newer pose), 1 rejected (the reason on stderr),
 * 2 usage or configuration error, 3 no neck answered in time (none connected, hub unreachable, no ack).
 */
@Command({
  name: 'send',
  arguments: '<command...>',
  description:
    'send one neck command and wait for its ack: exit 0 written, 1 rejected (reason on stderr), 2 usage or config error, 3 no neck answered in time',
  argsDescription: { command: 'a neck command, e.g. HOME or X50,Y-20 (words are joined with spaces)' },
})
export class SendCommand extends TimedHubCommandRunner {
  constructor(
    private readonly output: CliOutput,
    private readonly context: CliContext,
    private readonly asker: CliAsker,
  ) {
    super();
  }

  @Option({
    flags: '-t, --target <uuid>',
    description: 'send to this neck only (default: every neck; the first ack counts)',
  })
  parseTarget(value: string): string {
    return value;
  }

  @Help('after')
  examples(): string {
    return `
Exit codes: 0 written (or superseded by a newer pose), 1 rejected (the reason on stderr; CONTROL_HELD when another
operator holds the neck's control: --take takes it over), 2 usage or configuration error (no password without a
terminal, wrong password), 3 no neck answered in time (none connected, hub unreachable).

Examples:
  neck send HOME
  neck send X50,Y-20,H30 --timeout 2
  neck send -t lab-neck 'HOME_SOFT|X10'
  neck send --take X0          # take control from whoever holds it, then move
  neck send RELEASE            # lift a STOP`;
  }

  @Option({ flags: '--take', description: 'take the neck’s control first if another operator holds it (TAKE)' })
  parseTake(): boolean {
    return true;
  }

  async run(words: string[], flags: SendFlags = {}): Promise<void> {
    await reportFailures(this.output, async () => {
      const text = words.join(' ');
      const parsed = parseMotionCommand(text) ?? parseOperatorCommand(text);
      if (!parsed.ok) {
        throw new CommandFailure(`rejected: ${parsed.error.message} (nothing sent)`, ExitCode.Rejected);
      }
      const lines = flags.take ? [DIRECTIVE_LINES.take, parsed.line] : [parsed.line];
      await sendOneShot(lines, flags, { output: this.output, context: this.context, asker: this.asker });
    });
  }
}

/** What a one-shot command needs from its surroundings. */
export interface OneShotDeps {
  readonly output: CliOutput;
  readonly context: CliContext;
  readonly asker: CliAsker;
}

/**
 * Logs in, waits for a neck (the --target one), sends each line as `neck_command` in turn and prints its ack;
 * a rejected ack ends it with exit 1, silence with exit 3. What `neck send` and `neck stop` do.
 */
export async function sendOneShot(lines: readonly string[], flags: SendFlags, deps: OneShotDeps): Promise<void> {
  const { output, context, asker } = deps;
  const settings = await loadCliSettings(
    flags,
    context.settingsContext(asker, (message) => output.error(message)),
  );
  const timeoutMs = flags.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const deadline = performance.now() + timeoutMs;
  const left = () => Math.max(1, deadline - performance.now());
  const client = await connectToHub(settings, {
    role: 'ui',
    timeoutMs,
    retryIntervalMs: ONE_SHOT_RETRY_MS,
    onRetry: (message) => output.error(`login failed: ${message}`),
  });
  try {
    const neck = await waitForNeck(client, flags.target, left(), timeoutMs);
    for (const line of lines) {
      let result: CommandResult;
      try {
        // An ack without id (the seed's Python agent sends only {command}) carrying this line counts too, or this
        // line merged into the full pose.
        result = await client.sendCommand(line, {
          via: 'neck_command',
          timeoutMs: left(),
          ...(flags.target === undefined ? {} : { target: neck.id }),
        });
      } catch (error) {
        throw explain(error, line, timeoutMs);
      }
      const name = client.peers().find((peer) => peer.id === result.ack.peerId)?.uuid ?? result.ack.peerId;
      const text = formatAck(result.ack, name, result.roundTripMs);
      if (result.ack.status === 'rejected') {
        const hint = result.ack.error?.code === 'CONTROL_HELD' ? ' (neck send --take takes it over)' : '';
        throw new CommandFailure(`${text}${hint}`, ExitCode.Rejected);
      }
      output.line(text);
    }
  } finally {
    await client.close();
  }
}

/** A connected neck (the --target one when given), waiting for one to join until the time is up. */
export async function waitForNeck(
  client: HubClient,
  target: string | undefined,
  waitMs: number,
  timeoutMs: number,
): Promise<PeerInfoDto> {
  const wanted = (peer: PeerInfoDto) => isNeck(peer) && (target === undefined || peer.uuid === target);
  const present = client.peers().find(wanted);
  if (present) return present;
  let off: (() => void) | undefined;
  let timer: NodeJS.Timeout | undefined;
  try {
    return await new Promise<PeerInfoDto>((resolve, reject) => {
      off = client.on(Events.NewPeer, (peer) => {
        if (wanted(peer)) resolve(peer);
      });
      timer = setTimeout(() => {
        const which = target === undefined ? 'no neck' : `no neck ${target}`;
        reject(
          new CommandFailure(
            `${which} is connected to the hub at ${client.url} (waited ${formatSeconds(timeoutMs)}); start neck-agent`,
            ExitCode.NoAnswer,
          ),
        );
      }, waitMs);
    });
  } finally {
    off?.();
    clearTimeout(timer);
  }
}

/** The exit code and message for what went wrong while sending. */
function explain(error: unknown, line: string, timeoutMs: number): unknown {
  if (error instanceof AckTimeoutError) {
    return new CommandFailure(
      `no neck answered ${line} within ${formatSeconds(timeoutMs)}; is its agent running and its serial port open? (neck status)`,
      ExitCode.NoAnswer,
    );
  }
  if (error instanceof HubError) {
    const noNeck = error.code === 'NO_NECK' || error.code === 'UNKNOWN_TARGET';
    return new CommandFailure(
      `the hub refused ${line}: ${error.message} [${error.code}]`,
      noNeck ? ExitCode.NoAnswer : ExitCode.Rejected,
    );
  }
  if (error instanceof NotConnectedError) return new CommandFailure(error.message, ExitCode.NoAnswer);
  return error;
}

import { Command, Help, Option } from 'nest-commander';
import { AckTimeoutError, HubClient, HubError, NotConnectedError } from '@neck-signal/hub-client';
import { Events, formatSeconds, parseNeckCommand, PeerInfoDto } from '@neck-signal/protocol';
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
Exit codes: 0 written (or superseded by a newer pose), 1 rejected (the reason on stderr), 2 usage or configuration
error (no password without a terminal, wrong password), 3 no neck answered in time (none connected, hub unreachable).

Examples:
  neck send HOME
  neck send X50,Y-20,H30 --timeout 2
  neck send -t lab-neck 'HOME_SOFT|X10'`;
  }

  async run(words: string[], flags: SendFlags = {}): Promise<void> {
    await reportFailures(this.output, async () => {
      const parsed = parseNeckCommand(words.join(' '));
      if (!parsed.ok) {
        throw new CommandFailure(`rejected: ${parsed.error.message} (nothing sent)`, ExitCode.Rejected);
      }
      const settings = await loadCliSettings(
        flags,
        this.context.settingsContext(this.asker, (message) => this.output.error(message)),
      );
      const timeoutMs = flags.timeoutMs ?? DEFAULT_TIMEOUT_MS;
      const deadline = performance.now() + timeoutMs;
      const left = () => Math.max(1, deadline - performance.now());
      const client = await connectToHub(settings, {
        role: 'ui',
        timeoutMs,
        retryIntervalMs: ONE_SHOT_RETRY_MS,
        onRetry: (message) => this.output.error(`login failed: ${message}`),
      });
      try {
        const neck = await waitForNeck(client, flags.target, left(), timeoutMs);
        // An ack without id (the seed's Python agent sends only {command}) carrying this line counts too.
        const result = await client.sendCommand(parsed.line, {
          via: 'neck_command',
          timeoutMs: left(),
          ...(flags.target === undefined ? {} : { target: neck.id }),
        });
        const name = client.peers().find((peer) => peer.id === result.ack.peerId)?.uuid ?? result.ack.peerId;
        const text = formatAck(result.ack, name, result.roundTripMs);
        if (result.ack.status === 'rejected') throw new CommandFailure(text, ExitCode.Rejected);
        this.output.line(text);
      } catch (error) {
        throw explain(error, parsed.line, timeoutMs);
      } finally {
        await client.close();
      }
    });
  }
}

/** A connected neck (the --target one when given), waiting for one to join until the time is up. */
async function waitForNeck(
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

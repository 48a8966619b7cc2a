import { Command, Help, Option } from 'nest-commander';
import { InvalidArgumentError } from 'commander';
import { AckTimeoutError, HubError, RecordingsError, RecordingsRequester } from '@neck-signal/hub-client';
import {
  MAX_REPLAY_SPEED,
  MIN_REPLAY_SPEED,
  RECORDING_ID,
  formatSeconds,
  parseMotionCommand,
} from '@neck-signal/protocol';
import { CliAsker } from '../common/cli-asker';
import { CliContext } from '../common/cli-context';
import { CliOutput } from '../common/cli-output';
import { CommandFailure, ExitCode, reportFailures } from '../common/command-failure';
import { DEFAULT_TIMEOUT_MS, ONE_SHOT_RETRY_MS, TimedHubCommandRunner, TimedHubFlags } from '../common/hub-command';
import { durationOption } from '../common/options';
import { loadCliSettings } from '../config/cli-settings';
import { connectToHub } from '../hub/connect';
import { formatAck } from '../hub/format';
import { waitForNeck } from '../send/send.command';

/** The lead-in before the recorded lines (the agent's REPLAY_LEAD_IN_MS), for the progress estimate. */
const LEAD_IN_MS = 1000;
const DAY_MS = 24 * 3_600_000;

export interface ReplayFlags extends TimedHubFlags {
  neck?: string;
  speed?: number;
  from?: number;
  to?: number;
  take?: boolean;
}

/**
 * `neck replay ID [--neck UUID] [--speed X] [--from T] [--to T]`: the agent plays one of its recordings on its own
 * clock, as this operator (through the control lease), after a smooth lead-in from where the head is; STOP or
 * another operator's TAKE ends it. Progress (by time) on stderr until its ack.
 */
@Command({
  name: 'replay',
  arguments: '<id>',
  description:
    "play one of a neck's recordings at its recorded timing (on the neck's clock), after a smooth lead-in; STOP ends it",
  argsDescription: { id: 'a recording id from neck recordings' },
})
export class ReplayCommand extends TimedHubCommandRunner {
  constructor(
    private readonly output: CliOutput,
    private readonly context: CliContext,
    private readonly asker: CliAsker,
  ) {
    super();
  }

  @Option({ flags: '--neck <uuid>', description: 'the neck that recorded it (default: the only one connected)' })
  parseNeck(value: string): string {
    return value;
  }

  @Option({ flags: '--speed <x>', description: `play faster (2) or slower (0.5) than recorded (default 1)` })
  parseSpeed(value: string): number {
    const speed = Number(value);
    if (!(speed >= MIN_REPLAY_SPEED && speed <= MAX_REPLAY_SPEED)) {
      throw new InvalidArgumentError(`expected a factor from ${MIN_REPLAY_SPEED} to ${MAX_REPLAY_SPEED}`);
    }
    return speed;
  }

  @Option({ flags: '--from <time>', description: 'start this far into the recording, e.g. 5s (default 0)' })
  parseFrom(value: string): number {
    return durationOption(value, DAY_MS);
  }

  @Option({ flags: '--to <time>', description: 'stop this far into the recording, e.g. 12.5s (default: its end)' })
  parseTo(value: string): number {
    return durationOption(value, DAY_MS);
  }

  @Option({ flags: '--take', description: 'take the neck’s control first if another operator holds it (TAKE)' })
  parseTake(): boolean {
    return true;
  }

  @Help('after')
  examples(): string {
    return `
Times count from the recording's first line written. Replaying the recording being written plays the session so far
(the agent starts a new file first). Homing and HEALTH lines are not replayed. A local .mcap file cannot be replayed:
the agent plays its own recordings (neck recordings lists them).
Exit codes: 0 played (or superseded by a newer command), 1 rejected (STOP, TAKE, unknown id), 2 usage error, 3 no answer.

Examples:
  neck replay 2026-12-08T00-12-03-123Z
  neck replay 2026-12-08T00-12-03-123Z --speed 0.5 --from 5s --to 12s`;
  }

  async run([id = '']: string[], flags: ReplayFlags = {}): Promise<void> {
    await reportFailures(this.output, async () => {
      if (!RECORDING_ID.test(id)) {
        throw new CommandFailure(
          `${id} is not a recording id: the agent replays its own recordings (see neck recordings); local files cannot be sent to it`,
          ExitCode.Usage,
        );
      }
      const text = [
        `REPLAY ${id} SPEED ${flags.speed ?? 1} FROM ${flags.from ?? 0}`,
        ...(flags.to === undefined ? [] : [`TO ${flags.to}`]),
      ].join(' ');
      const parsed = parseMotionCommand(text);
      if (!parsed?.ok) {
        throw new CommandFailure(`rejected: ${parsed ? parsed.error.message : text} (nothing sent)`, ExitCode.Usage);
      }
      await this.replay(id, parsed.line, flags);
    });
  }

  private async replay(id: string, line: string, flags: ReplayFlags): Promise<void> {
    const settings = await loadCliSettings(
      flags,
      this.context.settingsContext(this.asker, (message) => this.output.error(message)),
    );
    const timeoutMs = flags.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const client = await connectToHub(settings, { role: 'ui', timeoutMs, retryIntervalMs: ONE_SHOT_RETRY_MS });
    let ticker: NodeJS.Timeout | undefined;
    try {
      const neck = await waitForNeck(client, flags.neck, timeoutMs, timeoutMs);
      const { recordings } = await new RecordingsRequester(client, neck.id, timeoutMs).list();
      const recording = recordings.find((candidate) => candidate.id === id);
      if (!recording) throw new RecordingsError('UNKNOWN_RECORDING', `neck ${neck.uuid} has no recording ${id}`);
      const windowMs = Math.max(
        0,
        Math.min(flags.to ?? recording.durationMs, recording.durationMs) - (flags.from ?? 0),
      );
      const expectedMs = LEAD_IN_MS + windowMs / (flags.speed ?? 1);
      this.output.error(`replaying ${id} on ${neck.uuid}: about ${formatSeconds(expectedMs)}; neck stop ends it`);
      const started = performance.now();
      if (process.stderr.isTTY) {
        ticker = setInterval(() => {
          const fraction = Math.min(1, (performance.now() - started) / expectedMs);
          const filled = Math.round(fraction * 30);
          process.stderr.write(`\r[${'#'.repeat(filled)}${'.'.repeat(30 - filled)}] ${Math.floor(fraction * 100)}%`);
        }, 200);
      }
      const target = { target: neck.id };
      if (flags.take) await client.sendCommand('TAKE', { via: 'neck_command', timeoutMs, ...target });
      const result = await client.sendCommand(line, {
        via: 'neck_command',
        timeoutMs: timeoutMs + expectedMs,
        ...target,
      });
      clearInterval(ticker);
      if (process.stderr.isTTY) process.stderr.write('\n');
      const text = formatAck(result.ack, neck.uuid, result.roundTripMs);
      if (result.ack.status === 'rejected') throw new CommandFailure(text, ExitCode.Rejected);
      this.output.line(text);
    } catch (error) {
      if (error instanceof RecordingsError) {
        throw new CommandFailure(`${error.message} [${error.code}]`, ExitCode.Rejected);
      }
      if (error instanceof AckTimeoutError) throw new CommandFailure(error.message, ExitCode.NoAnswer);
      if (error instanceof HubError) throw new CommandFailure(`the hub refused: ${error.message}`, ExitCode.Rejected);
      throw error;
    } finally {
      clearInterval(ticker);
      await client.close();
    }
  }
}

import { readFile, stat } from 'node:fs/promises';
import { Command, Help, Option } from 'nest-commander';
import { InvalidArgumentError } from 'commander';
import { AckTimeoutError, HubError, RecordingsError, RecordingsRequester } from '@neck-signal/hub-client';
import {
  Events,
  MAX_UPLOAD_BYTES,
  MAX_REPLAY_SPEED,
  MIN_REPLAY_SPEED,
  RECORDING_ID,
  formatSeconds,
  parseMotionCommand,
} from '@neck-signal/protocol';
import { CliAsker } from '../common/cli-asker';
import { CliContext } from '../common/cli-context';
import { CliOutput } from '../common/cli-output';
import { Programs } from '../common/programs';
import { ProgressBar, formatBytes } from '../common/progress-bar';
import { CommandFailure, ExitCode, reportFailures } from '../common/command-failure';
import { DEFAULT_TIMEOUT_MS, ONE_SHOT_RETRY_MS, TimedHubCommandRunner, TimedHubFlags } from '../common/hub-command';
import { durationOption } from '../common/options';
import { loadCliSettings } from '../config/cli-settings';
import { connectToHub } from '../hub/connect';
import { formatAck } from '../hub/format';
import { waitForNeck } from '../send/send.command';

/** The lead-in before the recorded lines (the agent's REPLAY_LEAD_IN_MS), for the time said and the ack's wait. */
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
 * `neck replay FILE|ID [--neck UUID] [--speed X] [--from T] [--to T]`: the agent plays one of its recordings (or a
 * local file, checked here, then sent to it and checked again) on its own clock, as this operator (through the
 * control lease), after a smooth lead-in from where the head is; STOP or another operator's TAKE ends it.
 * Progress, as the agent reports it in neck_status, on stderr until its ack.
 */
@Command({
  name: 'replay',
  arguments: '<file|id>',
  description:
    "play a neck's recording, or a local .mcap file sent to it, at its recorded timing (on the neck's clock), after a smooth lead-in; STOP ends it",
  argsDescription: {
    'file|id': 'a recording id from neck recordings, or a path to a recording file (anything with a . or /)',
  },
})
export class ReplayCommand extends TimedHubCommandRunner {
  constructor(
    private readonly output: CliOutput,
    private readonly context: CliContext,
    private readonly asker: CliAsker,
    private readonly programs: Programs,
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
(the agent starts a new file first). Homing and HEALTH lines are not replayed.
A local file must be a whole recording made by an agent (e.g. from neck recordings get; one being written or cut
short by a crash has no footer and is refused). It is checked here, sent to the neck through the hub with a
progress bar (at most ${formatBytes(MAX_UPLOAD_BYTES)}, and no more than the agent's recording budget), checked
again and kept there as a recording whose id ends in -upload, then replayed like any other.
Progress during the replay is the agent's own report (neck_status), not an estimate.
Exit codes: 0 played (or superseded by a newer command), 1 rejected (STOP, TAKE, unknown id, a file the agent
refused), 2 usage error (including a file that is no recording), 3 no answer.

Examples:
  neck replay 2026-12-08T00-12-03-123Z
  neck replay 2026-12-08T00-12-03-123Z --speed 0.5 --from 5s --to 12s
  neck replay ./gesture.mcap --neck 7d0c…`;
  }

  async run([source = '']: string[], flags: ReplayFlags = {}): Promise<void> {
    await reportFailures(this.output, async () => {
      const file = /[./]/.test(source) ? await this.readRecording(source) : undefined;
      if (!file && !RECORDING_ID.test(source)) {
        throw new CommandFailure(
          `${JSON.stringify(source)} is neither a recording id (see neck recordings) nor a file path`,
          ExitCode.Usage,
        );
      }
      // Checked before anything is sent (with a placeholder id until the neck names an upload).
      replayLine(file ? 'upload' : source, flags);
      await this.replay(file ? { file, name: source } : { id: source }, flags);
    });
  }

  /** The file's bytes, when it is a recording a replay can play; a usage failure saying why not otherwise. */
  private async readRecording(path: string): Promise<Uint8Array> {
    const size = await stat(path).then(
      (info) => (info.isFile() ? info.size : -1),
      () => -1,
    );
    if (size < 0) throw new CommandFailure(`${path}: no such file`, ExitCode.Usage);
    if (size > MAX_UPLOAD_BYTES) {
      throw new CommandFailure(
        `${path} is ${formatBytes(size)}: a file sent for replay is at most ${formatBytes(MAX_UPLOAD_BYTES)} (cut it with --from/--to on the neck instead)`,
        ExitCode.Usage,
      );
    }
    const bytes = await readFile(path);
    const check = this.programs.agent.checkRecording(bytes);
    if (!check.ok)
      throw new CommandFailure(`${path} cannot be replayed: ${check.message} (nothing sent)`, ExitCode.Usage);
    return bytes;
  }

  private async upload(requester: RecordingsRequester, bytes: Uint8Array, name: string, neck: string): Promise<string> {
    this.output.error(`sending ${name} (${formatBytes(bytes.length)}) to ${neck}`);
    const bar = new ProgressBar((text) => process.stderr.write(text), process.stderr.isTTY === true);
    try {
      const id = await requester.upload(bytes, (progress) => bar.show(progress.bytes, progress.totalBytes));
      bar.end();
      this.output.error(`the neck keeps it as ${id}`);
      return id;
    } catch (error) {
      bar.end();
      throw error;
    }
  }

  private async replay(source: { id: string } | { file: Uint8Array; name: string }, flags: ReplayFlags): Promise<void> {
    const settings = await loadCliSettings(
      flags,
      this.context.settingsContext(this.asker, (message) => this.output.error(message)),
    );
    const timeoutMs = flags.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const client = await connectToHub(settings, { role: 'ui', timeoutMs, retryIntervalMs: ONE_SHOT_RETRY_MS });
    let stopProgress: (() => void) | undefined;
    let endBar: ((applied: boolean) => void) | undefined;
    let totalMs: number | undefined;
    try {
      const neck = await waitForNeck(client, flags.neck, timeoutMs, timeoutMs);
      const requester = new RecordingsRequester(client, neck.id, timeoutMs);
      const id = 'id' in source ? source.id : await this.upload(requester, source.file, source.name, neck.uuid);
      const line = replayLine(id, flags);
      const { recordings } = await requester.list();
      const recording = recordings.find((candidate) => candidate.id === id);
      if (!recording) throw new RecordingsError('UNKNOWN_RECORDING', `neck ${neck.uuid} has no recording ${id}`);
      const windowMs = Math.max(
        0,
        Math.min(flags.to ?? recording.durationMs, recording.durationMs) - (flags.from ?? 0),
      );
      const expectedMs = LEAD_IN_MS + windowMs / (flags.speed ?? 1);
      this.output.error(`replaying ${id} on ${neck.uuid}: about ${formatSeconds(expectedMs)}; neck stop ends it`);
      // The agent says where its replay is in every neck_status (about ten a second while it writes).
      const bar = new ProgressBar((text) => process.stderr.write(text), process.stderr.isTTY === true, formatSeconds);
      stopProgress = client.on(Events.NeckStatus, (status) => {
        const replay = status.peerId === neck.id ? status.replay : undefined;
        if (replay?.id !== id || replay.by !== client.uuid || replay.state !== 'playing') return;
        bar.show(replay.atMs, replay.totalMs);
        totalMs = replay.totalMs;
      });
      endBar = (applied) => {
        // `applied`: every line was written, whether or not a status said so before the ack came.
        if (applied && totalMs !== undefined) bar.show(totalMs, totalMs);
        bar.end();
      };
      const target = { target: neck.id };
      if (flags.take) await client.sendCommand('TAKE', { via: 'neck_command', timeoutMs, ...target });
      const result = await client.sendCommand(line, {
        via: 'neck_command',
        timeoutMs: timeoutMs + expectedMs,
        ...target,
      });
      stopProgress?.();
      endBar?.(result.ack.status === 'applied');
      endBar = undefined;
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
      stopProgress?.();
      endBar?.(false);
      await client.close();
    }
  }
}

/** The REPLAY line for recording `id` with the flags' window and speed (already checked with a placeholder id). */
function replayLine(id: string, flags: ReplayFlags): string {
  const text = [
    `REPLAY ${id} SPEED ${flags.speed ?? 1} FROM ${flags.from ?? 0}`,
    ...(flags.to === undefined ? [] : [`TO ${flags.to}`]),
  ].join(' ');
  const parsed = parseMotionCommand(text);
  if (!parsed?.ok) {
    throw new CommandFailure(`rejected: ${parsed ? parsed.error.message : text} (nothing sent)`, ExitCode.Usage);
  }
  return parsed.line;
}

import { open, rename, rm } from 'node:fs/promises';
import { Command, Help, Option } from 'nest-commander';
import { HubError, RecordingsError, RecordingsRequester } from '@neck-signal/hub-client';
import { RECORDING_ID, RecordingInfoDto, formatSeconds } from '@neck-signal/protocol';
import { CliAsker } from '../common/cli-asker';
import { CliContext } from '../common/cli-context';
import { CliOutput } from '../common/cli-output';
import { CommandFailure, ExitCode, reportFailures } from '../common/command-failure';
import { DEFAULT_TIMEOUT_MS, ONE_SHOT_RETRY_MS, ReportCommandRunner, ReportFlags } from '../common/hub-command';
import { loadCliSettings } from '../config/cli-settings';
import { connectToHub } from '../hub/connect';
import { waitForNeck } from '../send/send.command';
import { ProgressBar, formatBytes } from '../common/progress-bar';

export interface RecordingsFlags extends ReportFlags {
  /** --neck UUID. */
  neck?: string;
  /** -o FILE. */
  output?: string;
}

/**
 * `neck recordings [--neck UUID]` lists a neck's recordings; `neck recordings get ID [-o FILE]` downloads one
 * through the hub, chunk by chunk at the pace the agent allows, with its progress on stderr. Operators only.
 */
@Command({
  name: 'recordings',
  arguments: '[get] [id]',
  description: "list a neck's recordings (MCAP), or download one: recordings get ID [-o FILE]",
})
export class RecordingsCommand extends ReportCommandRunner {
  constructor(
    private readonly output: CliOutput,
    private readonly context: CliContext,
    private readonly asker: CliAsker,
  ) {
    super();
  }

  @Option({ flags: '--neck <uuid>', description: 'the neck to ask (default: the only one connected)' })
  parseNeck(value: string): string {
    return value;
  }

  @Option({ flags: '-o, --output <file>', description: 'get: where to save it (default: ID.mcap here)' })
  parseOutput(value: string): string {
    return value;
  }

  @Help('after')
  examples(): string {
    return `
Recordings open in Foxglove (File > Open local file) or with the mcap CLI. Exit codes: 0 done, 1 refused (no such
recording, recording off, an observer's login), 2 usage or configuration error, 3 no neck answered in time.

Examples:
  neck recordings
  neck recordings get 2026-12-08T00-12-03-123Z -o gesture.mcap`;
  }

  async run([verb, id]: string[], flags: RecordingsFlags = {}): Promise<void> {
    await reportFailures(this.output, async () => {
      if (verb !== undefined && verb !== 'get') {
        throw new CommandFailure(`expected neck recordings or neck recordings get ID, not ${verb}`, ExitCode.Usage);
      }
      if (verb === 'get' && (id === undefined || !RECORDING_ID.test(id))) {
        throw new CommandFailure('neck recordings get needs an ID from neck recordings', ExitCode.Usage);
      }
      const settings = await loadCliSettings(
        flags,
        this.context.settingsContext(this.asker, (message) => this.output.error(message)),
      );
      const timeoutMs = flags.timeoutMs ?? DEFAULT_TIMEOUT_MS;
      const client = await connectToHub(settings, { role: 'ui', timeoutMs, retryIntervalMs: ONE_SHOT_RETRY_MS });
      try {
        const neck = await waitForNeck(client, flags.neck, timeoutMs, timeoutMs);
        const requester = new RecordingsRequester(client, neck.id, timeoutMs);
        if (verb === 'get' && id !== undefined) await this.download(requester, id, flags.output ?? `${id}.mcap`);
        else this.list(neck.uuid, await requester.list(), flags.json === true);
      } catch (error) {
        throw explain(error);
      } finally {
        await client.close();
      }
    });
  }

  private list(neck: string, { recordings, more }: { recordings: RecordingInfoDto[]; more: number }, json: boolean) {
    if (json) {
      this.output.line(JSON.stringify({ neck, recordings, more }, null, 2));
      return;
    }
    if (recordings.length === 0) this.output.line(`neck ${neck} has no recordings`);
    for (const r of recordings) {
      const state = r.current ? ' (being written)' : r.complete ? '' : ' (cut short: readable up to its last chunk)';
      this.output.line(
        `${r.id}  started ${r.startedAt}  ${formatSeconds(r.durationMs)}  ${r.commands} commands  ${formatBytes(r.sizeBytes)}${state}`,
      );
    }
    if (more > 0) this.output.line(`(${more} older recordings not listed)`);
  }

  private async download(requester: RecordingsRequester, id: string, file: string): Promise<void> {
    const partial = `${file}.part`;
    const handle = await open(partial, 'w', 0o600);
    const bar = new ProgressBar((text) => process.stderr.write(text), process.stderr.isTTY === true);
    try {
      const bytes = await requester.download(
        id,
        async (chunk) => {
          await handle.write(chunk);
        },
        (progress) => bar.show(progress.bytes, progress.totalBytes),
      );
      await handle.close();
      await rename(partial, file);
      bar.end();
      this.output.line(`saved ${id} to ${file} (${formatBytes(bytes)})`);
    } catch (error) {
      bar.end();
      await handle.close().catch(() => undefined);
      await rm(partial, { force: true });
      throw error;
    }
  }
}

function explain(error: unknown): unknown {
  if (error instanceof RecordingsError) {
    const silent = error.code === 'TIMEOUT' || error.code === 'NOT_CONNECTED';
    return new CommandFailure(`${error.message} [${error.code}]`, silent ? ExitCode.NoAnswer : ExitCode.Rejected);
  }
  if (error instanceof HubError) {
    return new CommandFailure(`the hub refused: ${error.message} [${error.code}]`, ExitCode.Rejected);
  }
  return error;
}

import { Command, Help } from 'nest-commander';
import { HopStatsDto, TIMELINE_HOPS, TimelineStatsDto, formatMs } from '@neck-signal/protocol';
import { CliOutput } from '../common/cli-output';
import { CliAsker } from '../common/cli-asker';
import { CliContext } from '../common/cli-context';
import { CommandFailure, ExitCode, reportFailures } from '../common/command-failure';
import { DEFAULT_TIMEOUT_MS, ReportCommandRunner, ReportFlags } from '../common/hub-command';
import { loadCliSettings } from '../config/cli-settings';
import { fetchHealth } from '../status/status.command';

export type StatsFlags = ReportFlags;

/** What `neck stats` says when the hub has relayed no ack with a timeline yet. */
export const NOTHING_YET = 'no commands relayed yet: send one with neck send';

/**
 * `neck stats`: where the milliseconds go. The hub keeps the timelines of the last commands it relayed (GET /
 * `timeline`); this prints p50, p95 and max of each hop. Exit 0, 1 when the hub keeps no timelines (an older
 * hub) or its answer is not a hub's health, 2 usage or configuration error, 3 hub unreachable.
 */
@Command({
  name: 'stats',
  description:
    'where the milliseconds go: count, p50, p95 and max of each hop (hub, link, agent, queue, fence, wire) over the last commands the hub relayed',
})
export class StatsCommand extends ReportCommandRunner {
  constructor(
    private readonly output: CliOutput,
    private readonly context: CliContext,
    private readonly asker: CliAsker,
  ) {
    super();
  }

  @Help('after')
  hops(): string {
    return `
Each hop is measured on one machine's clock; clocks of different machines are never compared:
  span   the hub's view: from receiving a command to relaying its ack (hub + link + agent)
  hub    the hub, from receiving the command to relaying it to the neck
  link   the network, hub to neck and back (the hub's round trip less the agent's time)
  agent  the agent on the robot, from receiving the command to sending its ack; of which
  queue    waiting for the firmware to read (boot, homing, earlier lines, the wire's pace)
  fence    of the queue time, waiting behind a HOME (its HEALTH answer, or its known duration)
  wire     from the write to its bytes having left on the serial line (115200 baud: 86.8 µs a byte)
Only commands sent as neck_command (neck send, neck stop, the web page) pass the hub with its stamp and count.

Exit codes: 0, 1 (the hub keeps no timelines, or did not answer as a hub), 2 usage or configuration error,
3 hub unreachable.

Examples:
  neck stats
  neck stats --json | jq .link.p95`;
  }

  async run(_args: string[], flags: StatsFlags = {}): Promise<void> {
    await reportFailures(this.output, async () => {
      const settings = await loadCliSettings(
        flags,
        this.context.settingsContext(this.asker, (message) => this.output.error(message)),
      );
      const health = await fetchHealth(settings, flags.timeoutMs ?? DEFAULT_TIMEOUT_MS);
      const stats = health.timeline;
      if (stats === undefined) {
        throw new CommandFailure(
          `the hub at ${settings.serverUrl} (version ${health.version}) keeps no command timelines; update it`,
          ExitCode.Failed,
        );
      }
      if (flags.json) {
        this.output.line(JSON.stringify(stats, null, 2));
        return;
      }
      for (const line of describeTimelineStats(settings.serverUrl, stats)) this.output.line(line);
    });
  }
}

const COLUMNS = ['count', 'p50', 'p95', 'max'] as const;

/**
 * The lines of `neck stats`: a heading, then one row per hop with its count, p50, p95 and max in ms (`-` for a
 * hop no command measured); or NOTHING_YET.
 */
export function describeTimelineStats(url: string, stats: TimelineStatsDto): string[] {
  if (stats.commands === 0) return [NOTHING_YET];
  const rows = TIMELINE_HOPS.map((hop) => [hop, ...cells(stats[hop])]);
  const header = ['hop', ...COLUMNS.map((column) => (column === 'count' ? column : `${column} ms`))];
  const widths = header.map((title, index) => Math.max(title.length, ...rows.map((row) => row[index]?.length ?? 0)));
  const format = (row: string[]) =>
    row
      .map((cell, index) => (index === 0 ? cell.padEnd(widths[index] ?? 0) : cell.padStart(widths[index] ?? 0)))
      .join('  ');
  const commands = `${stats.commands} command${stats.commands === 1 ? '' : 's'}`;
  return [
    `${url}: the last ${commands} the hub relayed (it keeps ${stats.window}); each hop on its own machine's clock`,
    format(header),
    ...rows.map(format),
  ];
}

function cells(hop: HopStatsDto | undefined): string[] {
  if (hop === undefined || hop.count === 0) return ['0', '-', '-', '-'];
  return [String(hop.count), formatMs(hop.p50), formatMs(hop.p95), formatMs(hop.max)];
}

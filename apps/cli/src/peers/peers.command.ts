import { Command } from 'nest-commander';
import { CliOutput } from '../common/cli-output';
import { CliAsker } from '../common/cli-asker';
import { CliContext } from '../common/cli-context';
import { reportFailures } from '../common/command-failure';
import { DEFAULT_TIMEOUT_MS, ONE_SHOT_RETRY_MS, ReportCommandRunner, ReportFlags } from '../common/hub-command';
import { loadCliSettings } from '../config/cli-settings';
import { connectToHub } from '../hub/connect';
import { describeControl, describePeer } from '../hub/format';
import { fetchHealth } from '../status/status.command';

export type PeersFlags = ReportFlags;

/** `neck peers`: who else is on the hub (logs in as an observer, so it never receives commands). */
@Command({
  name: 'peers',
  description:
    'list the necks and operators connected to the hub: uuid, roles and sid (it watches as an observer, so other observers are not listed one by one)',
})
export class PeersCommand extends ReportCommandRunner {
  constructor(
    private readonly output: CliOutput,
    private readonly context: CliContext,
    private readonly asker: CliAsker,
  ) {
    super();
  }

  async run(_args: string[], flags: PeersFlags = {}): Promise<void> {
    await reportFailures(this.output, async () => {
      const settings = await loadCliSettings(
        flags,
        this.context.settingsContext(this.asker, (message) => this.output.error(message)),
      );
      const client = await connectToHub(settings, {
        role: 'observer',
        timeoutMs: flags.timeoutMs ?? DEFAULT_TIMEOUT_MS,
        retryIntervalMs: ONE_SHOT_RETRY_MS,
        onRetry: (message) => this.output.error(`login failed: ${message}`),
      });
      const peers = client.peers();
      await client.close();
      if (flags.json) {
        this.output.line(JSON.stringify(peers, null, 2));
        return;
      }
      if (peers.length === 0) {
        this.output.line(`no other peer is connected to ${settings.serverUrl}`);
        return;
      }
      // Who holds which neck comes with each neck's status in the hub's health.
      const necks = (await fetchHealth(settings, flags.timeoutMs ?? DEFAULT_TIMEOUT_MS)).necks;
      for (const peer of peers) {
        const own = necks.find((neck) => neck.peerId === peer.id);
        const held = necks.filter((neck) => neck.control.holder?.uuid === peer.uuid).map((neck) => neck.uuid);
        const notes = [
          ...(own ? [describeControl(own.control, settings.uuid)] : []),
          ...(held.length > 0 ? [`holds control of ${held.join(', ')}`] : []),
        ];
        this.output.line(
          `${describePeer(peer, settings.uuid)}  sid ${peer.id}${notes.length > 0 ? `  (${notes.join('; ')})` : ''}`,
        );
      }
    });
  }
}

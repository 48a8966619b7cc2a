import { Command, Option } from 'nest-commander';
import { CliOutput } from '../cli-output';
import { CliAsker } from '../common/cli-asker';
import { CliContext } from '../common/cli-context';
import { reportFailures } from '../common/command-failure';
import { HubCommandRunner, HubFlags } from '../common/hub-command';
import { secondsOption } from '../common/options';
import { loadCliSettings } from '../config/cli-settings';
import { connectToHub } from '../hub/connect';
import { describePeer } from '../hub/format';
import { DEFAULT_ACK_TIMEOUT_MS } from '../repl/repl.command';
import { ONE_SHOT_RETRY_MS } from '../send/send.command';

export interface PeersFlags extends HubFlags {
  timeoutMs?: number;
  json?: boolean;
}

/** `neck peers`: who else is on the hub (logs in as an observer, so it never receives commands). */
@Command({
  name: 'peers',
  description: 'list the peers connected to the hub: uuid, roles (neck, ui, observer) and sid',
})
export class PeersCommand extends HubCommandRunner {
  constructor(
    private readonly output: CliOutput,
    private readonly context: CliContext,
    private readonly asker: CliAsker,
  ) {
    super();
  }

  @Option({
    flags: '--timeout <seconds>',
    description: `give up reaching the hub after this long, exit 3 (default ${DEFAULT_ACK_TIMEOUT_MS / 1000})`,
    name: 'timeoutMs',
  })
  parseTimeout(value: string): number {
    return secondsOption(value);
  }

  @Option({ flags: '--json', description: 'print the list as JSON: [{id, uuid, roles}]' })
  parseJson(): boolean {
    return true;
  }

  async run(_args: string[], flags: PeersFlags = {}): Promise<void> {
    await reportFailures(this.output, async () => {
      const settings = await loadCliSettings(
        flags,
        this.context.settingsContext(this.asker, (message) => this.output.error(message)),
      );
      const client = await connectToHub(settings, {
        role: 'observer',
        timeoutMs: flags.timeoutMs ?? DEFAULT_ACK_TIMEOUT_MS,
        retryIntervalMs: ONE_SHOT_RETRY_MS,
        onRetry: (message) => this.output.error(`login failed: ${message}`),
      });
      const peers = client.peers();
      await client.close();
      if (flags.json) {
        this.output.line(JSON.stringify(peers, null, 2));
      } else if (peers.length === 0) {
        this.output.line(`no other peer is connected to ${settings.serverUrl}`);
      } else {
        for (const peer of peers) this.output.line(`${describePeer(peer)}  sid ${peer.id}`);
      }
    });
  }
}

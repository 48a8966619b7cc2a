import { Command, Help, Option } from 'nest-commander';
import { CliOutput } from '../common/cli-output';
import { CliAsker } from '../common/cli-asker';
import { CliContext } from '../common/cli-context';
import { reportFailures } from '../common/command-failure';
import { DEFAULT_TIMEOUT_MS, TimedHubCommandRunner, TimedHubFlags } from '../common/hub-command';
import { secondsOption } from '../common/options';
import { ShutdownSignals } from '../common/shutdown-signals';
import { loadCliSettings } from '../config/cli-settings';
import { ReplRunner } from './repl-runner';

export interface ReplFlags extends TimedHubFlags {
  connectTimeoutMs?: number;
}
/** Without a terminal, how long the REPL tries to reach the hub before giving up (exit 3), ms. */
export const SCRIPT_CONNECT_TIMEOUT_MS = 30_000;

/** `neck repl`: the seed's REPL client (user_interface.py). */
@Command({
  name: 'repl',
  description:
    'type neck commands and see their acks, firmware output and peers (from a pipe: send each line, wait for its ack, exit 0)',
})
export class ReplCommand extends TimedHubCommandRunner {
  constructor(
    private readonly output: CliOutput,
    private readonly context: CliContext,
    private readonly asker: CliAsker,
    private readonly repl: ReplRunner,
    private readonly shutdown: ShutdownSignals,
  ) {
    super();
  }

  @Option({
    flags: '--connect-timeout <seconds>',
    description: `give up reaching the hub after this long, exit 3 (default: keep trying at a terminal, ${SCRIPT_CONNECT_TIMEOUT_MS / 1000} s from a pipe)`,
    name: 'connectTimeoutMs',
  })
  parseConnectTimeout(value: string): number {
    return secondsOption(value);
  }

  @Help('after')
  examples(): string {
    return `
With no hub given (-s, NECK_HUB_URL, cli.json) it joins the demo running on this machine (npm start). Else,
at a terminal, the first run asks for the hub URL and the shared password and keeps them in cli.json and .env
in the config dir; your uuid is a name from this host (-u to choose one). Type help in the REPL for the command forms.

Examples:
  neck repl -s https://neck-signal.loca.lt
  printf 'HOME\\nX50\\nY-20\\n' | neck repl      # a script: each line waits for its ack, exit 0 at the end`;
  }

  async run(_args: string[], flags: ReplFlags = {}): Promise<void> {
    await reportFailures(this.output, async () => {
      const interactive = this.context.interactive;
      const settings = await loadCliSettings(
        flags,
        this.context.settingsContext(this.asker, (message) => this.output.line(message)),
      );
      const connectTimeoutMs = flags.connectTimeoutMs ?? (interactive ? undefined : SCRIPT_CONNECT_TIMEOUT_MS);
      // SIGINT/SIGTERM end the REPL like quit, exit 0 (README, "The programs").
      const signals = this.shutdown.wait();
      try {
        await this.repl.run(settings, {
          ackTimeoutMs: flags.timeoutMs ?? DEFAULT_TIMEOUT_MS,
          interactive,
          ...(connectTimeoutMs === undefined ? {} : { connectTimeoutMs }),
          until: signals.received,
        });
      } finally {
        signals.dispose();
      }
    });
  }
}

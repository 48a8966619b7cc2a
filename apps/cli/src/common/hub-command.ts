import { CommandRunner, Option } from 'nest-commander';
import { urlOption } from '@neck-signal/program-kit';
import { secondsOption } from './options';

/** How long a command waits by default (for the hub, a neck, each ack), ms: a neck holds commands while it homes. */
export const DEFAULT_TIMEOUT_MS = 15_000;
/** Delay between login attempts of a one-shot command (send, peers, status), ms. */
export const ONE_SHOT_RETRY_MS = 1_000;

/** Flags every command that keeps files in the config dir takes. */
export interface ConfigFlags {
  configDir?: string;
}

/** Flags every command that talks to the hub takes; each overrides the saved config. */
export interface HubFlags extends ConfigFlags {
  serverUrl?: string;
  /** A copy of the hub's https-ca.pem to trust (--hub-ca). */
  hubCa?: string;
  uuid?: string;
}

/** Flags of a command that waits for the hub or a neck. */
export interface TimedHubFlags extends HubFlags {
  /** --timeout, in ms. */
  timeoutMs?: number;
}

/** Flags of a command that prints a report, as lines or as JSON. */
export interface ReportFlags extends TimedHubFlags {
  json?: boolean;
}

/** A command with `--config-dir DIR`. */
export abstract class ConfigCommandRunner extends CommandRunner {
  @Option({
    flags: '--config-dir <dir>',
    description:
      'config directory (default: $NECK_CONFIG_DIR, else $XDG_CONFIG_HOME/neck-signal or ~/.config/neck-signal)',
  })
  parseConfigDir(value: string): string {
    return value;
  }
}

/** A command that talks to the hub: `-s/--server-url URL`, `-u/--uuid UUID`, `--config-dir DIR`. */
export abstract class HubCommandRunner extends ConfigCommandRunner {
  @Option({
    flags: '-s, --server-url <url>',
    description:
      'hub URL, e.g. https://neck-signal.loca.lt (default: $NECK_HUB_URL, else saved in cli.json, else the demo running on this machine)',
  })
  parseServerUrl(value: string): string {
    return urlOption(value);
  }

  @Option({
    flags: '--hub-ca <file>',
    description:
      "a copy of the hub's https-ca.pem, for a hub started with --https (default: $NECK_HUB_CA, else cli.json hub_ca)",
  })
  parseHubCa(value: string): string {
    return value;
  }

  @Option({
    flags: '-u, --uuid <uuid>',
    description: 'your uuid on the hub (default: saved in cli.json, else a name from this host, e.g. laptop-cli-3f2a)',
  })
  parseUuid(value: string): string {
    return value;
  }
}

/** A command that waits for the hub or a neck: `--timeout SECONDS` besides the hub's flags. */
export abstract class TimedHubCommandRunner extends HubCommandRunner {
  @Option({
    flags: '--timeout <seconds>',
    description: `give up waiting after this long, for the hub, a neck and each ack (default ${DEFAULT_TIMEOUT_MS / 1000})`,
    name: 'timeoutMs',
  })
  parseTimeout(value: string): number {
    return secondsOption(value);
  }
}

/** A command that prints a report: `--json` for programs, lines for people. */
export abstract class ReportCommandRunner extends TimedHubCommandRunner {
  @Option({ flags: '--json', description: 'print JSON instead of lines (shapes as in the README)' })
  parseJson(): boolean {
    return true;
  }
}

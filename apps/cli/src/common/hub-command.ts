import { CommandRunner, Option } from 'nest-commander';
import { urlOption } from '@neck-signal/program-kit';

/** Flags every command that keeps files in the config dir takes. */
export interface ConfigFlags {
  configDir?: string;
}

/** Flags every command that talks to the hub takes; each overrides the saved config. */
export interface HubFlags extends ConfigFlags {
  serverUrl?: string;
  uuid?: string;
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
    description: 'hub URL, e.g. https://neck-signal.loca.lt (default: $NECK_HUB_URL, else saved in cli.json)',
  })
  parseServerUrl(value: string): string {
    return urlOption(value);
  }

  @Option({ flags: '-u, --uuid <uuid>', description: 'your uuid on the hub (default: saved in cli.json, else random)' })
  parseUuid(value: string): string {
    return value;
  }
}

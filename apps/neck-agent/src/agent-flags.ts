import { Command } from 'commander';
import { integerOption, neckSignalVersion, parseFlags, urlOption } from '@neck-signal/runtime';

/** Command-line flags of neck-agent (DESIGN §2); each overrides the saved config. */
export interface AgentFlags {
  serverUrl?: string;
  uuid?: string;
  serial?: string;
  baud?: number;
  simulate?: boolean;
  configDir?: string;
}

export function parseAgentFlags(argv: readonly string[]): AgentFlags {
  const program = new Command('neck-agent')
    .description('neck-signal agent: relays hub commands to the neck firmware over serial.')
    .version(neckSignalVersion())
    .option('-s, --server-url <url>', 'hub URL, e.g. https://neck-signal.loca.lt', urlOption)
    .option('-u, --uuid <uuid>', 'this agent’s uuid (default: saved, else random)')
    .option('--serial <path>', 'serial port of the neck (default: discover)')
    .option('--baud <n>', 'baud rate (default 115200)', integerOption(50, 4_000_000, 'a baud rate such as 115200'))
    .option('--simulate', 'drive the virtual neck in-process instead of a serial port')
    .option('--config-dir <dir>', 'config directory (default $NECK_CONFIG_DIR or ~/.config/neck-signal)');
  return parseFlags<AgentFlags>(program, argv);
}

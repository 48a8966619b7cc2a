import { Command, Option } from 'commander';
import type { AgentFlags } from '@neck-signal/agent';
import { integerOption, neckSignalVersion, parseFlags, urlOption } from '@neck-signal/program-kit';

/** The agent's flags, and how much neck-agent itself prints. */
export interface AgentProgramFlags extends AgentFlags {
  /** Also print Nest's own start-up lines. */
  verbose?: boolean;
}

/** neck-agent's command line, parsed with commander: --help, --version and usage errors (exit 2) included. */
export function parseAgentFlags(argv: readonly string[]): AgentProgramFlags {
  const program = new Command('neck-agent')
    .description('neck-signal agent: relays hub commands to the neck firmware over serial.')
    .version(neckSignalVersion())
    .option('-s, --server-url <url>', 'hub URL, e.g. https://neck-signal.loca.lt', urlOption)
    .option(
      '--hub-ca <file>',
      "a copy of the hub's https-ca.pem, for a hub started with --https (default: $NECK_HUB_CA, else agent.json hub_ca)",
    )
    .option('-u, --uuid <uuid>', 'this agent’s uuid (default: saved, else a name from this host, e.g. pi4-neck-3f2a)')
    .option('--serial <path>', 'serial port of the neck (default: discover)')
    .option('--baud <n>', 'baud rate (default 115200)', integerOption(50, 4_000_000, 'a baud rate such as 115200'))
    .option('--simulate', 'drive the virtual neck in-process instead of a serial port')
    .addOption(
      new Option(
        '--record <on|off>',
        'record each session as MCAP in the config dir’s recordings/ (default: agent.json record, else on)',
      ).choices(['on', 'off']),
    )
    .option('--config-dir <dir>', 'config directory (default $NECK_CONFIG_DIR or ~/.config/neck-signal)')
    .option('--verbose', 'also print Nest’s own start-up lines (modules loaded)');
  return parseFlags<AgentProgramFlags>(program, argv);
}

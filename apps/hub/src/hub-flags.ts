import { Command } from 'commander';
import type { HubFlags } from '@neck-signal/hub';
import { integerOption, neckSignalVersion, parseFlags, portOption, urlOption } from '@neck-signal/program-kit';

/** The hub's flags, and how much neck-hub itself prints. */
export interface HubProgramFlags extends HubFlags {
  /** Also print Nest's own start-up lines (modules, routes, gateways). */
  verbose?: boolean;
}

/** neck-hub's command line, parsed with commander: --help, --version and usage errors (exit 2) included. */
export function parseHubFlags(argv: readonly string[]): HubProgramFlags {
  const program = new Command('neck-hub')
    .description('neck-signal hub: login, Socket.IO signalling between peers, LocalTunnel exposure, web page.')
    .version(neckSignalVersion())
    .option('--port <n>', 'port to listen on (default 5000; 0 picks a free one)', portOption)
    .option('--host <host>', 'address to bind (default all interfaces)')
    .option('--subdomain <name>', 'LocalTunnel subdomain to ask for, e.g. neck-signal')
    .option('--no-tunnel', 'serve locally only; do not open a LocalTunnel')
    .option('--tunnel-host <url>', 'LocalTunnel server (default https://localtunnel.me)', urlOption)
    .option('--cors <origins>', "allowed origins, comma separated, or '*'")
    .option('--config-dir <dir>', 'config directory (default $NECK_CONFIG_DIR or ~/.config/neck-signal)')
    .option('--redis <url>', 'share peers with other hubs through Redis, e.g. redis://127.0.0.1:6379', urlOption)
    .option(
      '--max-sockets-per-uuid <n>',
      'connections one uuid may hold at once, across hubs; the next is refused (default 16)',
      integerOption(1, 100_000, 'a whole number from 1 to 100000'),
    )
    .option(
      '--max-paired-devices <n>',
      'distinct uuids that may hold device keys; pairing one more is refused until one is revoked (default 1000)',
      integerOption(1, 1_000_000, 'a whole number from 1 to 1000000'),
    )
    .option(
      '--https',
      'serve HTTPS on this network with a certificate the hub makes (in the config dir), for phones: their tilt ' +
        'sensors need a secure page; no tunnel. Agents and the CLI trust it through NECK_HUB_CA',
    )
    .option('--verbose', 'also print Nest’s own start-up lines (modules loaded, routes mapped, gateways)');
  return parseFlags<HubProgramFlags>(program, argv);
}

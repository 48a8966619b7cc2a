import { Command } from 'commander';
import { neckSignalVersion, parseFlags, portOption, urlOption } from '@neck-signal/runtime';

/** Command-line flags of neck-hub (DESIGN §2); each overrides the saved config. */
export interface HubFlags {
  port?: number;
  host?: string;
  subdomain?: string;
  /** False with --no-tunnel. */
  tunnel: boolean;
  tunnelHost?: string;
  cors?: string;
  configDir?: string;
  redis?: string;
}

export function parseHubFlags(argv: readonly string[]): HubFlags {
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
    .option('--redis <url>', 'share peers with other hubs through Redis, e.g. redis://127.0.0.1:6379', urlOption);
  return parseFlags<HubFlags>(program, argv);
}

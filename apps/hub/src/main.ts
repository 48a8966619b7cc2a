import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { ConfigError, closeOnSignals, isInteractive, terminalAsker } from '@neck-signal/program-kit';
import { loadHubSettings, startHub } from '@neck-signal/hub';
import { parseHubFlags } from './hub-flags';
import { describeListening } from './listening';

async function main(): Promise<void> {
  const { verbose, ...flags } = parseHubFlags(process.argv);
  const settings = await loadHubSettings(flags, {
    env: process.env,
    asker: isInteractive() ? terminalAsker : undefined,
    say: (message) => process.stdout.write(`${message}\n`),
  });
  const hub = await startHub(settings, { nestLogs: verbose === true });
  // SIGHUP too: the terminal it ran in was closed.
  closeOnSignals(() => hub.close(), { signals: ['SIGINT', 'SIGTERM', 'SIGHUP'] });
  const logger = new Logger('neck-hub');
  const listening = { host: settings.host, port: hub.port, url: hub.url, configDir: settings.configDir };
  for (const line of describeListening(listening)) logger.log(line);
}

main().catch((error: unknown) => {
  process.stderr.write(`neck-hub: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(error instanceof ConfigError ? error.exitCode : 1);
});

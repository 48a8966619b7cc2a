import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { ConfigError, closeOnSignals, isInteractive, terminalAsker } from '@neck-signal/program-kit';
import { loadHubSettings, startHub } from '@neck-signal/hub';
import { parseHubFlags } from './hub-flags';

async function main(): Promise<void> {
  const flags = parseHubFlags(process.argv);
  const settings = await loadHubSettings(flags, {
    env: process.env,
    asker: isInteractive() ? terminalAsker : undefined,
    say: (message) => process.stdout.write(`${message}\n`),
  });
  const hub = await startHub(settings);
  closeOnSignals(() => hub.close());
  new Logger('neck-hub').log(`listening on ${hub.url} (config: ${settings.configDir})`);
}

main().catch((error: unknown) => {
  process.stderr.write(`neck-hub: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(error instanceof ConfigError ? error.exitCode : 1);
});

import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { closeOnSignals } from '@neck-signal/runtime';
import { parseHubFlags } from './hub-flags';
import { HubModule } from './hub.module';

async function main(): Promise<void> {
  const flags = parseHubFlags(process.argv);
  const app = await NestFactory.create(HubModule);
  closeOnSignals(() => app.close());
  await app.listen(flags.port ?? 5000, flags.host ?? '0.0.0.0');
  new Logger('neck-hub').log(`listening on ${await app.getUrl()}`);
}

main().catch((error: unknown) => {
  process.stderr.write(`neck-hub: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});

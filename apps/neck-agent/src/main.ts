import 'reflect-metadata';
import { Logger, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { closeOnSignals } from '@neck-signal/runtime';
import { parseAgentFlags } from './agent-flags';

@Module({})
class AgentModule {}

async function main(): Promise<void> {
  const flags = parseAgentFlags(process.argv);
  const app = await NestFactory.createApplicationContext(AgentModule);
  closeOnSignals(() => app.close());
  new Logger('neck-agent').log(
    `started (serial: ${flags.serial ?? (flags.simulate ? 'virtual neck' : 'discover')}, hub: ${flags.serverUrl ?? 'from config'})`,
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`neck-agent: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});

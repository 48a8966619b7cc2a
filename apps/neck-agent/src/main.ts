import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { ConfigError, closeOnSignals, isInteractive, terminalAsker } from '@neck-signal/program-kit';
import { AgentModule, NeckAgent, loadAgentSettings } from '@neck-signal/agent';
import { parseAgentFlags } from './agent-flags';

async function main(): Promise<void> {
  const flags = parseAgentFlags(process.argv);
  const settings = await loadAgentSettings(flags, {
    env: process.env,
    asker: isInteractive() ? terminalAsker : undefined,
    say: (message) => process.stdout.write(`${message}\n`),
  });
  const app = await NestFactory.createApplicationContext(AgentModule.forRoot(new NeckAgent(settings)), {
    logger: ['log', 'warn', 'error'],
  });
  closeOnSignals(() => app.close());
}

main().catch((error: unknown) => {
  process.stderr.write(`neck-agent: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(error instanceof ConfigError ? error.exitCode : 1);
});

import 'reflect-metadata';
import { LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ConfigError, QuietStartLogger, closeOnSignals, isInteractive, terminalAsker } from '@neck-signal/program-kit';
import { AgentModule, NeckAgent, loadAgentSettings } from '@neck-signal/agent';
import { parseAgentFlags } from './agent-flags';

const LOG_LEVELS: LogLevel[] = ['log', 'warn', 'error'];

async function main(): Promise<void> {
  const { verbose, ...flags } = parseAgentFlags(process.argv);
  const settings = await loadAgentSettings(flags, {
    env: process.env,
    asker: isInteractive() ? terminalAsker : undefined,
    say: (message) => process.stdout.write(`${message}\n`),
  });
  const app = await NestFactory.createApplicationContext(AgentModule.forRoot(new NeckAgent(settings)), {
    logger: verbose === true ? LOG_LEVELS : new QuietStartLogger({ logLevels: LOG_LEVELS }),
  });
  // SIGHUP too: the terminal it ran in was closed.
  closeOnSignals(() => app.close(), { signals: ['SIGINT', 'SIGTERM', 'SIGHUP'] });
}

main().catch((error: unknown) => {
  process.stderr.write(`neck-agent: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(error instanceof ConfigError ? error.exitCode : 1);
});

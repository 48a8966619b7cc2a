import 'reflect-metadata';
import { CommanderError } from 'commander';
import { CommandFactory } from 'nest-commander';
import { neckSignalVersion } from '@neck-signal/runtime';
import { CliModule } from './cli.module';

async function main(): Promise<void> {
  await CommandFactory.run(CliModule, {
    logger: ['warn', 'error'],
    version: neckSignalVersion(),
    // commander has already printed help or the usage error; usage errors exit 2 (DESIGN §2).
    errorHandler: (error) => process.exit(error instanceof CommanderError && error.exitCode === 0 ? 0 : 2),
  });
}

void main();

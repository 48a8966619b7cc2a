import 'reflect-metadata';
import { CommanderError } from 'commander';
import { CommandFactory } from 'nest-commander';
import { EXIT_USAGE, neckSignalVersion } from '@neck-signal/program-kit';
import { CliModule } from './cli.module';
import { endQuietlyWhenOutputCloses } from './common/cli-output';

/** Once a command is done, how long a handle still closing (a socket, a port) may keep the process alive, ms. */
const EXIT_GRACE_MS = 2_000;

async function main(): Promise<void> {
  endQuietlyWhenOutputCloses();
  await CommandFactory.run(CliModule, {
    logger: ['warn', 'error'],
    version: neckSignalVersion(),
    // commander has already printed help or the usage error; usage errors exit 2 (README, "The programs").
    errorHandler: (error) => process.exit(error instanceof CommanderError && error.exitCode === 0 ? 0 : 2),
    // Commands report their own failures (exit codes 1–3); this only catches what slipped past them.
    serviceErrorHandler: (error) => {
      if (error instanceof CommanderError) {
        // A subcommand's usage error or --help (see ProgramName); commander has printed what it had to say.
        process.exitCode = error.exitCode === 0 ? 0 : EXIT_USAGE;
        return;
      }
      process.stderr.write(`neck: ${error.message}\n`);
      process.exitCode = 1;
    },
  });
  setTimeout(() => process.exit(), EXIT_GRACE_MS).unref();
}

void main();

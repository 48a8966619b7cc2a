import { ConfigError, EXIT_USAGE } from '@neck-signal/program-kit';
import { CliOutput } from './cli-output';

/** Exit codes of `neck` (the README's table of commands says which command uses which). */
export const ExitCode = {
  Ok: 0,
  /** The neck (or the local grammar) rejected the command; the reason is on stderr. */
  Rejected: 1,
  /** Something else failed (a port taken, the tty of `neck sim` closed); the reason is on stderr. */
  Failed: 1,
  /** A usage or configuration error: a bad flag, no password without a terminal, a wrong password. */
  Usage: EXIT_USAGE,
  /** Nothing answered in time: no neck acknowledged the command, or the hub could not be reached. */
  NoAnswer: 3,
} as const;

/** Ends a command with a message on stderr and an exit code. */
export class CommandFailure extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
  }
}

/**
 * Runs a command body, turning what it throws into a message on stderr and an exit code: a CommandFailure's
 * own code, ExitCode.Usage for a ConfigError, ExitCode.Failed for anything else.
 */
export async function reportFailures(output: CliOutput, body: () => Promise<void>): Promise<void> {
  try {
    await body();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    output.error(`neck: ${message}`);
    if (error instanceof CommandFailure) output.exitCode(error.exitCode);
    else if (error instanceof ConfigError) output.exitCode(error.exitCode);
    else output.exitCode(ExitCode.Failed);
  }
}

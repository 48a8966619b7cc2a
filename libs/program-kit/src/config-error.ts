import { EXIT_USAGE } from './flags';

/** A configuration problem the user must fix; the program prints the message and exits with code 2. */
export class ConfigError extends Error {
  readonly exitCode = EXIT_USAGE;
}

/** Runs a config step; any error that is not already a ConfigError becomes one (exit 2 with its message). */
export function asConfigError<T>(run: () => T): T {
  try {
    return run();
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    throw new ConfigError(error instanceof Error ? error.message : String(error));
  }
}

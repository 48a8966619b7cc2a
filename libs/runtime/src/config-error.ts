import { EXIT_USAGE } from './flags';

/** A configuration problem the user must fix; the program prints the message and exits with code 2. */
export class ConfigError extends Error {
  readonly exitCode = EXIT_USAGE;
}

import { Command, CommanderError, InvalidArgumentError, OptionValues } from 'commander';

/** Exit code for a usage or configuration error (README, "The programs"). */
export const EXIT_USAGE = 2;

/**
 * Parses argv with a commander program: `--help` and `--version` exit 0, a usage error exits 2 with
 * commander's one-line message. Returns the parsed options.
 */
export function parseFlags<T extends OptionValues>(program: Command, argv: readonly string[]): T {
  program.exitOverride((error: CommanderError) => {
    const ok =
      error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.code === 'commander.help';
    process.exit(ok ? 0 : EXIT_USAGE);
  });
  program.parse([...argv], { from: 'node' });
  return program.opts<T>();
}

/** A commander argument parser for a TCP port 0–65535. */
export function portOption(value: string): number {
  return integerOption(0, 65_535, 'a port number from 0 to 65535')(value);
}

/** A commander argument parser for an integer within [min, max]. */
export function integerOption(min: number, max: number, what: string): (value: string) => number {
  return (value: string) => {
    const number = Number(value);
    if (!/^\d+$/.test(value) || number < min || number > max) throw new InvalidArgumentError(`expected ${what}`);
    return number;
  };
}

/** A commander argument parser for an http(s) or ws(s) URL. */
export function urlOption(value: string): string {
  try {
    const url = new URL(value);
    if (!['http:', 'https:', 'ws:', 'wss:', 'redis:', 'rediss:'].includes(url.protocol)) throw new Error(url.protocol);
    return value.replace(/\/+$/, '');
  } catch {
    throw new InvalidArgumentError('expected a URL such as https://neck-signal.loca.lt');
  }
}

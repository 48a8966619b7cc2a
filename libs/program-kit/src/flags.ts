import { Command, CommanderError, InvalidArgumentError, OptionValues } from 'commander';
import { badPortMessage, isBadPort, urlPort } from './bad-ports';

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

/** A commander argument parser for a TCP port 0–65535 to listen on; a "bad port" (see bad-ports.ts) is refused. */
export function portOption(value: string): number {
  const port = integerOption(0, 65_535, 'a port number from 0 to 65535')(value);
  if (isBadPort(port)) throw new InvalidArgumentError(badPortMessage(port));
  return port;
}

/** A commander argument parser for an integer within [min, max]. */
export function integerOption(min: number, max: number, what: string): (value: string) => number {
  return (value: string) => {
    const number = Number(value);
    if (!/^\d+$/.test(value) || number < min || number > max) throw new InvalidArgumentError(`expected ${what}`);
    return number;
  };
}

/**
 * A commander argument parser for an http(s), ws(s) or redis URL. An http(s) or ws(s) URL on a "bad port" (see
 * bad-ports.ts) is refused: nothing could connect to it.
 */
export function urlOption(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
    if (!['http:', 'https:', 'ws:', 'wss:', 'redis:', 'rediss:'].includes(url.protocol)) throw new Error(url.protocol);
  } catch {
    throw new InvalidArgumentError('expected a URL such as https://neck-signal.loca.lt');
  }
  const port = urlPort(url);
  if (port !== undefined && isBadPort(port)) throw new InvalidArgumentError(badPortMessage(port));
  return value.replace(/\/+$/, '');
}

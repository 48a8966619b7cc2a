import {
  DIRECTIVE_LINES,
  HEAD_AXES,
  HEALTH_KEYWORDS,
  HOME_KEYWORDS,
  QUATERNION_EXTRA_AXES,
} from '@neck-signal/protocol';

/** Words the REPL itself understands (besides neck commands). */
export const REPL_WORDS = ['help', 'quit', 'exit'] as const;
export const REPL_META_COMMANDS = [':target ', ':all', ':take', ':release', ':peers', ':help', ':quit'] as const;

/**
 * Tab completion for the REPL, in readline's completer form: the candidates for the word being typed, and that
 * word. Completes keywords (HOME, HOME_SOFT, HEALTH…), `Q:`, the head axes not yet used in the current command,
 * the H/S/A extras of a quaternion, REPL words, `:` commands and, after `:target `, the uuids of connected peers.
 * A word typed in lower case gets lower-case candidates, since readline appends to what was typed.
 */
export function completeLine(line: string, peerUuids: readonly string[]): [string[], string] {
  if (line.startsWith(':')) {
    const target = /^:target\s+(\S*)$/.exec(line);
    if (target) return [peerUuids.filter((uuid) => uuid.startsWith(target[1])), target[1]];
    if (/\s/.test(line)) return [[], line];
    return [REPL_META_COMMANDS.filter((command) => command.startsWith(line)), line];
  }
  const word = /[^,|\s]*$/.exec(line)?.[0] ?? '';
  const before = line.slice(0, line.length - word.length);
  const command = before.slice(before.lastIndexOf('|') + 1);
  const lower = /[a-z]/.test(word) && word === word.toLowerCase();
  const hits = candidatesFor(command)
    .filter((candidate) => candidate.toUpperCase().startsWith(word.toUpperCase()))
    .map((candidate) => (lower ? candidate.toLowerCase() : candidate));
  const words = before.trim() === '' ? REPL_WORDS.filter((replWord) => replWord.startsWith(word)) : [];
  return [[...hits, ...words], word];
}

/** What may come next, given the text of the current `|`-separated command before the word being typed. */
function candidatesFor(command: string): string[] {
  const tokens = command
    .split(',')
    .map((token) => token.trim())
    .filter((token) => token !== '');
  if (tokens.length === 0) {
    return [...HOME_KEYWORDS, ...HEALTH_KEYWORDS, DIRECTIVE_LINES.stop, DIRECTIVE_LINES.release, 'Q:', ...HEAD_AXES];
  }
  const used = new Set(tokens.map((token) => token[0].toUpperCase()));
  if (/^q\s*:/i.test(tokens[0])) {
    // Q:w,x,y,z — the extras only once the four components are there.
    return tokens.length >= 4 ? QUATERNION_EXTRA_AXES.filter((axis) => !used.has(axis)) : [];
  }
  if (/^[0-9]/.test(tokens[0])) return [];
  return HEAD_AXES.filter((axis) => !used.has(axis));
}

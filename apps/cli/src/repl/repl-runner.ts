import { Injectable } from '@nestjs/common';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Interface, clearLine, createInterface, cursorTo } from 'node:readline';
import type { HubClient } from '@neck-signal/hub-client';
import { isNotFound, writeFileAtomically } from '@neck-signal/program-kit';
import { CliOutput } from '../common/cli-output';
import { CliContext } from '../common/cli-context';
import { CliSettings } from '../config/cli-settings';
import { connectToHub } from '../hub/connect';
import { completeLine } from './completer';
import { ReplSession, ReplView, isQuitCommand } from './repl-session';

export const HISTORY_FILE = 'repl_history';
const HISTORY_SIZE = 1000;

export interface ReplRunOptions {
  /** How long each command waits for its ack, ms. */
  ackTimeoutMs: number;
  /** Give up reaching the hub after this many ms (exit 3); keep trying when absent. */
  connectTimeoutMs?: number;
  /** A person at a terminal: prompt, history, tab completion. Otherwise lines are read from stdin as a script. */
  interactive: boolean;
  /** Ends the session early when it settles (the demo's SIGINT/SIGTERM). */
  until?: Promise<unknown>;
}

/**
 * Runs the REPL on a hub: connects (saying why each login is retried), prints READY, then reads lines —
 * at a terminal with a prompt, history and tab completion, until quit/exit/Ctrl-D; otherwise from stdin as a
 * script, each line waiting (bounded) for its ack, until the input ends.
 */
@Injectable()
export class ReplRunner {
  constructor(
    private readonly output: CliOutput,
    private readonly context: CliContext,
  ) {}

  async run(settings: CliSettings, options: ReplRunOptions): Promise<void> {
    const plain: ReplView = { line: (text) => this.output.line(text), error: (text) => this.output.error(text) };
    const historyFile = options.interactive ? join(settings.configDir, HISTORY_FILE) : undefined;
    let session: ReplSession | undefined;
    // A signal while the hub is still being reached ends the REPL as quietly as one during the session.
    let connecting: HubClient | undefined;
    let stopped = false;
    void options.until?.then(() => {
      stopped = true;
      void connecting?.close();
    });
    this.output.line(`connecting to ${settings.serverUrl} as ${settings.uuid}…`);
    let client: HubClient;
    try {
      client = await connectToHub(settings, {
        role: 'ui',
        ackTimeoutMs: options.ackTimeoutMs,
        ...(options.connectTimeoutMs === undefined ? {} : { timeoutMs: options.connectTimeoutMs }),
        onRetry: (message) => this.output.error(`login failed: ${message}`),
        prepare: (hubClient) => {
          connecting = hubClient;
          if (stopped) void hubClient.close();
          session = new ReplSession(hubClient, plain, {
            ackTimeoutMs: options.ackTimeoutMs,
            ...(historyFile === undefined ? {} : { historyFile }),
          });
          session.attach();
        },
      });
    } catch (error) {
      session?.close();
      if (stopped) return;
      throw error;
    }
    connecting = undefined;
    if (!session) throw new Error('the REPL session was not set up');
    try {
      if (stopped) return;
      this.output.line(session.readyLine());
      if (options.interactive) await this.interactive(session, historyFile ?? HISTORY_FILE, options.until);
      else await this.script(session, options.until);
    } finally {
      session.close();
      await client.close();
    }
  }

  /** Lines from a pipe or file: each is handled (and its ack awaited) before the next is read. */
  private async script(session: ReplSession, until?: Promise<unknown>): Promise<void> {
    const lines = createInterface({ input: this.context.stdin, terminal: false, crlfDelay: Infinity });
    let stopped = false;
    // Settles on the signal: a line still waiting for its ack is not waited for.
    const stop = new Promise<void>((resolve) => {
      void until?.then(() => {
        stopped = true;
        lines.close();
        resolve();
      });
    });
    try {
      for await (const line of lines) {
        if (stopped || isQuitCommand(line)) break;
        await Promise.race([session.handle(line), stop]);
        if (stopped) break;
      }
    } finally {
      lines.close();
    }
  }

  /** A person at a terminal: prompt, history file, tab completion; lines are handled without waiting for acks. */
  private async interactive(session: ReplSession, historyFile: string, until?: Promise<unknown>): Promise<void> {
    const { stdin, stdout } = this.context;
    const rl: Interface = createInterface({
      input: stdin,
      output: stdout,
      terminal: true,
      prompt: session.prompt,
      history: loadHistory(historyFile, (text) => this.output.error(text)),
      historySize: HISTORY_SIZE,
      removeHistoryDuplicates: true,
      completer: (line: string) => completeLine(line, session.peerUuids()),
    });
    rl.on('history', (history: string[]) => saveHistory(historyFile, history, (text) => this.output.error(text)));
    // Lines printed while the person types go above the prompt, which is then drawn again with their input.
    const aboveThePrompt =
      (print: (text: string) => void) =>
      (text: string): void => {
        clearLine(stdout, 0);
        cursorTo(stdout, 0);
        print(text);
        rl.prompt(true);
      };
    session.setView({
      line: aboveThePrompt((text) => this.output.line(text)),
      error: aboveThePrompt((text) => this.output.error(text)),
    });
    this.output.line('type help for commands, quit or Ctrl-D to leave');
    const closed = new Promise<void>((resolve) => rl.once('close', resolve));
    void until?.then(() => rl.close());
    // Ctrl-C clears what was typed, and leaves on an empty line.
    rl.on('SIGINT', () => {
      if (rl.line === '') {
        rl.close();
        return;
      }
      rl.write(null, { ctrl: true, name: 'e' });
      rl.write(null, { ctrl: true, name: 'u' });
    });
    rl.on('line', (line: string) => {
      if (isQuitCommand(line)) {
        rl.close();
        return;
      }
      void session.handle(line);
      rl.setPrompt(session.prompt);
      rl.prompt();
    });
    rl.prompt();
    await closed;
    session.setView({ line: (text) => this.output.line(text), error: (text) => this.output.error(text) });
    stdout.write('\n');
  }
}

/** The history file's lines, newest first as readline wants them; none when there is none or it is unreadable. */
export function loadHistory(file: string, warn: (text: string) => void): string[] {
  try {
    return readFileSync(file, 'utf8')
      .split('\n')
      .filter((line) => line.trim() !== '')
      .slice(-HISTORY_SIZE)
      .reverse();
  } catch (error) {
    if (!isNotFound(error)) {
      warn(`could not read the history in ${file}: ${error instanceof Error ? error.message : String(error)}`);
    }
    return [];
  }
}

/** Writes readline's history (newest first) oldest first, one line each. */
export function saveHistory(file: string, history: readonly string[], warn: (text: string) => void): void {
  try {
    writeFileAtomically(file, `${[...history].reverse().join('\n')}\n`, 0o600);
  } catch (error) {
    warn(`could not save the history in ${file}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

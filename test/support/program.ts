import { ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';

export const REPO_ROOT = join(__dirname, '..', '..');

/** A built neck-signal program (dist/apps/<app>/main.js) running as a child process. */
export class Program {
  readonly output: string[] = [];
  private readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private waiters: { pattern: RegExp; resolve: (match: RegExpMatchArray) => void; reject: (error: Error) => void }[] =
    [];

  constructor(
    readonly child: ChildProcess,
    private readonly name: string,
  ) {
    const onLine = (line: string) => {
      if (line === '') return;
      this.output.push(line);
      this.waiters = this.waiters.filter((waiter) => {
        const match = line.match(waiter.pattern);
        if (match) waiter.resolve(match);
        return !match;
      });
    };
    // A pipe's chunks end anywhere, mid-line included: only complete lines count (the rest at the end).
    for (const stream of [child.stdout, child.stderr]) {
      stream?.setEncoding('utf8');
      let partial = '';
      stream?.on('data', (chunk: string) => {
        const lines = (partial + chunk).split(/\r?\n/);
        partial = lines.pop() ?? '';
        for (const line of lines) onLine(line);
      });
      stream?.on('end', () => onLine(partial));
    }
    this.exited = once(child, 'exit').then(([code, signal]) => {
      // Output may still be in the pipes; let it arrive before failing the waiters.
      setImmediate(() => {
        for (const waiter of this.waiters.splice(0)) {
          waiter.reject(
            new Error(
              `${this.name} exited (${String(code ?? signal)}) before printing ${waiter.pattern}:\n${this.output.join('\n')}`,
            ),
          );
        }
      });
      return { code: code as number | null, signal: signal as NodeJS.Signals | null };
    });
  }

  static start(app: string, args: string[] = [], env: NodeJS.ProcessEnv = {}): Program {
    const child = spawn(process.execPath, [join(REPO_ROOT, 'dist', 'apps', app, 'main.js'), ...args], {
      cwd: REPO_ROOT,
      env: { ...process.env, NO_COLOR: '1', ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    return new Program(child, app);
  }

  /** Resolves with the first output line (past or future) matching the pattern. */
  waitFor(pattern: RegExp, timeoutMs = 20_000): Promise<RegExpMatchArray> {
    const past = this.output.map((line) => line.match(pattern)).find((match) => match !== null);
    if (past) return Promise.resolve(past);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(
            new Error(`${this.name}: no line matching ${pattern} within ${timeoutMs} ms:\n${this.output.join('\n')}`),
          ),
        timeoutMs,
      );
      this.waiters.push({
        pattern,
        resolve: (match) => {
          clearTimeout(timer);
          resolve(match);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      });
    });
  }

  /** Resolves with the exit code (or signal) once the process has ended. */
  async exit(timeoutMs = 20_000): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${this.name} did not exit within ${timeoutMs} ms`)), timeoutMs);
    });
    try {
      return await Promise.race([this.exited, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Sends a signal and waits for the exit. */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal);
    return this.exit();
  }

  /** Kills the process if it is still running (for afterEach). */
  async kill(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.kill('SIGKILL');
    await this.exited;
  }
}

/** `neck ARGS…` against the hub at `hubUrl` with `password`, with its own config dir; `env` overrides. */
export function startNeck(
  args: string[],
  at: { configDir: string; hubUrl: string; password: string },
  env: NodeJS.ProcessEnv = {},
): Program {
  return Program.start('cli', args, {
    NECK_CONFIG_DIR: at.configDir,
    PEER_SHARED_SECRET: at.password,
    NECK_HUB_URL: at.hubUrl,
    ...env,
  });
}

/** A built program at a terminal: `script` gives it a pseudo-terminal, as a person's shell would. */
export function atTerminal(app: string, args: string[], env: NodeJS.ProcessEnv): Program {
  const command = [process.execPath, join(REPO_ROOT, 'dist', 'apps', app, 'main.js'), ...args]
    .map((word) => `'${word.replace(/'/g, `'\\''`)}'`)
    .join(' ');
  const child = spawn('script', ['--quiet', '--flush', '--return', '--command', command, '/dev/null'], {
    cwd: REPO_ROOT,
    env: { ...process.env, NO_COLOR: '1', CI: 'false', ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  return new Program(child, app);
}

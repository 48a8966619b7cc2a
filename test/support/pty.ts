import { ChildProcess, spawn } from 'node:child_process';
import { FSWatcher, mkdtempSync, readlinkSync, rmSync, watch } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface PtyPairOptions {
  /** Directory for the two links `neck` and `agent`; default a fresh temp dir, removed by `close()`. */
  dir?: string;
  /** How long socat may take to report a PTY, ms. Default 5000. */
  timeoutMs?: number;
  /** The agent's end belongs to this group, mode 0660, as udev gives a USB serial port to dialout; default root's only. */
  agentGroup?: string;
}

/**
 * Two PTYs joined back to back by `socat -d -d pty,raw,echo=0,… pty,raw,echo=0,…`: bytes written to one
 * come out of the other, as on a serial cable. `neckPath` is for the virtual neck, `agentPath` for the agent.
 *
 * The neck's end comes first: socat creates `agentPath` only once something has opened `neckPath`
 * (`wait-slave`), as a real neck's device node appears with its firmware already listening. socat starts
 * relaying only once the agent has opened its end too (`wait-slave` again): `connected()` resolves at that
 * moment, which is when a DevKit's USB bridge resets the ESP32 — the test resets its virtual neck then.
 * Killing socat is an unplug (both ends see the line hang up); `replug()` makes a new pair at the same link
 * paths.
 */
export class PtyPair {
  readonly neckPath: string;
  readonly agentPath: string;
  /** What socat printed on stderr (with -d -d), for failure messages. */
  readonly log: string[] = [];
  private readonly devices: string[] = [];
  private relaying = false;
  private exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  private readonly watchers = new Set<() => void>();
  /** socat prints "PTY is …" just before it makes the link, so the links are watched too. */
  private readonly dirWatcher: FSWatcher;

  private constructor(
    readonly dir: string,
    private readonly ownsDir: boolean,
    private readonly child: ChildProcess,
    private readonly timeoutMs: number,
  ) {
    this.neckPath = join(dir, 'neck');
    this.agentPath = join(dir, 'agent');
    this.dirWatcher = watch(dir, () => this.notify());
    this.dirWatcher.on('error', () => undefined);
    const lines = new LineSplitter((line) => this.onLine(line));
    child.stderr?.on('data', (chunk: Buffer) => lines.push(chunk));
    child.once('exit', (code, signal) => {
      this.exit = { code, signal };
      this.notify();
    });
    child.once('error', (error: NodeJS.ErrnoException) => {
      this.log.push(
        error.code === 'ENOENT'
          ? 'socat is not installed; the test bootstrap provides it (apt-get install socat)'
          : `socat: ${error.message}`,
      );
      this.exit ??= { code: null, signal: null };
      this.notify();
    });
  }

  /** Starts socat; resolves once the neck's end exists at `neckPath` (socat reported it; no polling). */
  static async create(options: PtyPairOptions = {}): Promise<PtyPair> {
    const ownsDir = options.dir === undefined;
    const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'neck-pty-'));
    const neckLink = join(dir, 'neck');
    const agentLink = join(dir, 'agent');
    // A link left by a socat that died by SIGKILL would point at a PTY number the kernel may hand out again.
    for (const link of [neckLink, agentLink]) rmSync(link, { force: true });
    const child = spawn(
      'socat',
      [
        '-d',
        '-d',
        `pty,raw,echo=0,wait-slave,pty-interval=0.01,link=${neckLink}`,
        `pty,raw,echo=0,wait-slave,pty-interval=0.01,link=${agentLink}${options.agentGroup === undefined ? '' : `,group=${options.agentGroup},perm=0660`}`,
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    const pair = new PtyPair(dir, ownsDir, child, options.timeoutMs ?? 5_000);
    try {
      await pair.until('the neck end', () => linksTo(neckLink, pair.neckDevice));
      return pair;
    } catch (error) {
      await pair.close();
      throw error;
    }
  }

  /** The PTY device behind `neckPath`, e.g. /dev/pts/3. */
  get neckDevice(): string {
    return this.devices[0] ?? '';
  }

  /** The PTY device behind `agentPath`, once socat made it ('' before). */
  get agentDevice(): string {
    return this.devices[1] ?? '';
  }

  get running(): boolean {
    return this.exit === undefined;
  }

  /** Resolves once both ends are open (the agent opened its end) and socat relays between them. */
  async connected(): Promise<void> {
    await this.until(
      'the agent to open its end (open the neck end first)',
      () => this.relaying && linksTo(this.agentPath, this.agentDevice),
    );
  }

  /**
   * Unplugs: ends socat (SIGTERM lets it remove its links; SIGKILL is the rougher pull) and resolves once it
   * has exited and neither link is left pointing at its PTYs.
   */
  async kill(signal: 'SIGTERM' | 'SIGKILL' = 'SIGTERM'): Promise<void> {
    if (this.running) this.child.kill(signal);
    try {
      await this.until(`socat to exit on ${signal}`, () => !this.running, true);
    } finally {
      this.dirWatcher.close();
    }
    this.removeOwnLinks();
  }

  /** Plugs back in: a new socat pair at the same link paths (this one is killed first if still running). */
  async replug(): Promise<PtyPair> {
    await this.kill();
    return PtyPair.create({ dir: this.dir, timeoutMs: this.timeoutMs });
  }

  /** Kills socat (SIGKILL) and removes the links, and the directory when this pair made it. */
  async close(): Promise<void> {
    try {
      await this.kill('SIGKILL');
    } finally {
      if (this.ownsDir) rmSync(this.dir, { recursive: true, force: true });
    }
  }

  private onLine(line: string): void {
    this.log.push(line);
    const pty = /PTY is (\S+)/.exec(line);
    if (pty) this.devices.push(pty[1]);
    if (/starting data transfer loop/.test(line)) this.relaying = true;
    this.notify();
  }

  private notify(): void {
    for (const watcher of [...this.watchers]) watcher();
  }

  /** Resolves when `done()` holds; rejects after the timeout, or when socat exits first (unless `exiting`). */
  private until(what: string, done: () => boolean, exiting = false): Promise<void> {
    return new Promise((resolve, reject) => {
      const finish = (error?: Error) => {
        clearTimeout(timer);
        this.watchers.delete(check);
        if (error) reject(error);
        else resolve();
      };
      const check = () => {
        if (done()) finish();
        else if (!exiting && this.exit) {
          const { code, signal } = this.exit;
          finish(new Error(`socat exited (${String(code ?? signal)}) before ${what}:\n${this.log.join('\n')}`));
        }
      };
      const timer = setTimeout(
        () => finish(new Error(`no ${what} from socat within ${this.timeoutMs} ms:\n${this.log.join('\n')}`)),
        this.timeoutMs,
      );
      this.watchers.add(check);
      check();
    });
  }

  private removeOwnLinks(): void {
    for (const [link, device] of [
      [this.neckPath, this.neckDevice],
      [this.agentPath, this.agentDevice],
    ]) {
      // Only our own: a newer pair may already own the path.
      if (linksTo(link, device)) rmSync(link, { force: true });
    }
  }
}

/** Whether `link` is a symlink to `device` (and `device` is known). */
function linksTo(link: string, device: string): boolean {
  if (device === '') return false;
  try {
    return readlinkSync(link) === device;
  } catch {
    return false;
  }
}

/** Cuts a byte stream into lines (a line may span chunks). */
class LineSplitter {
  private partial = '';

  constructor(private readonly onLine: (line: string) => void) {}

  push(chunk: Buffer): void {
    const parts = (this.partial + chunk.toString('utf8')).split(/\r?\n/);
    this.partial = parts.pop() ?? '';
    for (const line of parts) if (line !== '') this.onLine(line);
  }
}

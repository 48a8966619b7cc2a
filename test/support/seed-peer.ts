import { ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { join } from 'node:path';

// Debian's python3 with python3-socketio 5 (provided by the test bootstrap: scripts/system-deps.js).
const PYTHON = '/usr/bin/python3';
const SCRIPT = join(__dirname, 'seed_peer.py');

export interface SeedEvent {
  event: string;
  sid?: string;
  transport?: string;
  data?: Record<string, unknown>;
  peer?: Record<string, unknown>;
  peers?: unknown[];
}

/** One of the original Python clients (test/support/seed_peer.py), as a child process. */
export class SeedPeer {
  readonly events: SeedEvent[] = [];
  private readonly waiters: { accept: (e: SeedEvent) => boolean; resolve: (e: SeedEvent) => void }[] = [];
  private stderr = '';

  constructor(readonly child: ChildProcessWithoutNullStreams) {
    let buffer = '';
    child.stdout.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      let newline: number;
      while ((newline = buffer.indexOf('\n')) >= 0) {
        const event = JSON.parse(buffer.slice(0, newline)) as SeedEvent;
        buffer = buffer.slice(newline + 1);
        this.events.push(event);
        for (const waiter of this.waiters.filter((w) => w.accept(event))) {
          this.waiters.splice(this.waiters.indexOf(waiter), 1);
          waiter.resolve(event);
        }
      }
    });
    child.stderr.on('data', (chunk: Buffer) => (this.stderr += chunk.toString()));
  }

  static start(url: string, uuid: string, transport: string, mode: 'agent' | 'ui', password: string): SeedPeer {
    return new SeedPeer(spawn(PYTHON, ['-u', SCRIPT, url, password, uuid, transport, mode]));
  }

  waitFor(accept: (event: SeedEvent) => boolean, timeoutMs = 15_000): Promise<SeedEvent> {
    const seen = this.events.find(accept);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`python peer: timed out; stderr:\n${this.stderr}`)), timeoutMs);
      this.waiters.push({
        accept,
        resolve: (event) => {
          clearTimeout(timer);
          resolve(event);
        },
      });
    });
  }

  send(line: string): void {
    this.child.stdin.write(`${line}\n`);
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.stdin.end();
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  }
}

import { ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Program, REPO_ROOT } from './support/program';
import { freePort } from './support/redis-server';

const PASSWORD = 'signals-e2e-password';
const CLI = join(REPO_ROOT, 'dist', 'apps', 'cli', 'main.js');
/** `npm start` may install and build first (scripts/bootstrap.js). */
const START_TIMEOUT_MS = 120_000;
/** How long the whole process tree may take to end after the signal. */
const STOP_TIMEOUT_MS = 10_000;

/**
 * npm or npx started in a process group of its own, as a shell starts a job, with stdin not a terminal; its
 * output is read as a Program's.
 */
class Launched {
  readonly program: Program;
  /** Resolves once every process holding the output pipes (npm, its shell, the program) has ended. */
  private readonly closed: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  private constructor(private readonly child: ChildProcess) {
    this.program = new Program(child, child.spawnargs.join(' '));
    this.closed = once(child, 'close').then(([code, signal]) => ({
      code: code as number | null,
      signal: signal as NodeJS.Signals | null,
    }));
  }

  static start(command: string, args: string[], env: NodeJS.ProcessEnv): Launched {
    const child = spawn(command, args, {
      cwd: REPO_ROOT,
      env: { ...process.env, NO_COLOR: '1', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    return new Launched(child);
  }

  /** The process group: npm, and everything it started. */
  get group(): number {
    return this.child.pid ?? 0;
  }

  get output(): string[] {
    return this.program.output;
  }

  /** Processes of the group that still run (zombies, which hold no port, left out). */
  survivors(): string[] {
    return livingProcessesOfGroup(this.group);
  }

  /**
   * Processes of the group still running `withinMs` after the tree closed its pipes: a process closes its files
   * a moment before it has ended, and no event tells another process when that moment has passed.
   */
  async survivorsAfter(withinMs: number): Promise<string[]> {
    const deadline = Date.now() + withinMs;
    let left = this.survivors();
    while (left.length > 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      left = this.survivors();
    }
    return left;
  }

  /** How npm or npx ended, once the whole tree has; rejects after STOP_TIMEOUT_MS naming what still runs. */
  async ended(): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const left = this.survivors().join('\n');
        reject(new Error(`still running ${STOP_TIMEOUT_MS} ms after the signal:\n${left}\n${this.output.join('\n')}`));
      }, STOP_TIMEOUT_MS);
    });
    try {
      return await Promise.race([this.closed, late]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Kills whatever of the group is left (for afterEach). */
  kill(): void {
    try {
      process.kill(-this.group, 'SIGKILL');
    } catch {
      // The group is gone already.
    }
  }
}

/** `pid state command line` of each process in the group that is not a zombie, from /proc. */
function livingProcessesOfGroup(group: number): string[] {
  const living: string[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // "pid (comm) state ppid pgrp …": comm may hold spaces and parentheses.
      const [state, , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(pgrp) !== group || state === 'Z') continue;
      const command = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').join(' ').trim();
      living.push(`${entry} ${state} ${command}`);
    } catch {
      // It ended while we looked.
    }
  }
  return living;
}

/** Whether a fresh server can listen on host:port, i.e. nothing listens there any more. */
async function canListen(host: string, port: number): Promise<boolean> {
  const server = createServer();
  try {
    server.listen(port, host);
    await once(server, 'listening');
    return true;
  } catch {
    return false;
  } finally {
    if (server.listening) {
      server.close();
      await once(server, 'close');
    }
  }
}

async function answers(url: string): Promise<boolean> {
  try {
    return (await fetch(url, { headers: { accept: 'application/json' } })).ok;
  } catch {
    return false;
  }
}

/** Runs the built CLI; `close` says which of our ends of its output pipes to close before it writes. */
function runCli(
  args: string[],
  close: 'stdout' | 'stderr' | 'stdout after its first line',
): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }> {
  const child = spawn(process.execPath, [CLI, ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, NO_COLOR: '1', PEER_SHARED_SECRET: PASSWORD, NECK_CONFIG_DIR: configDir },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  if (close === 'stdout') child.stdout.destroy();
  else child.stdout.on('data', (chunk: Buffer) => chunk.includes('\n') && child.stdout.destroy());
  if (close === 'stderr') child.stderr.destroy();
  else child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  return once(child, 'close').then(([code, signal]) => ({
    code: code as number | null,
    signal: signal as NodeJS.Signals | null,
    stderr,
  }));
}

let configDir: string;
const launched: Launched[] = [];
const programs: Program[] = [];

beforeEach(() => {
  configDir = mkdtempSync(join(tmpdir(), 'neck-signals-'));
});

afterEach(async () => {
  for (const each of launched.splice(0)) each.kill();
  await Promise.all(programs.splice(0).map((program) => program.kill()));
  rmSync(configDir, { recursive: true, force: true });
});

describe('a signal to npm or npx ends the server behind it, whatever runs in between', () => {
  // npm and npx run the program through `sh -c` and pass SIGINT and SIGTERM to that shell only, which dies
  // without passing them on (dash); on SIGHUP npm itself dies. The program notices and stops cleanly
  // (bin/stop-with-launcher.js). npm then ends the way its shell did, by the signal (@npmcli/run-script).
  it.each(['SIGTERM', 'SIGHUP'] as const)(
    'npm start (the demo) stops on %s to npm: port free, no process left',
    async (signal) => {
      const port = await freePort();
      const npm = Launched.start('npm', ['start', '--', '--port', String(port)], { NECK_CONFIG_DIR: configDir });
      launched.push(npm);
      await npm.program.waitFor(/^serving until Ctrl-C/, START_TIMEOUT_MS);
      expect(await answers(`http://127.0.0.1:${port}/`)).toBe(true);

      process.kill(npm.group, signal);
      expect(await npm.ended()).toEqual({ code: null, signal });

      expect(await npm.survivorsAfter(2_000)).toEqual([]);
      expect(await canListen('127.0.0.1', port)).toBe(true);
      expect(npm.output).toContain('demo stopped');
    },
    START_TIMEOUT_MS + 30_000,
  );

  it.each(['SIGTERM', 'SIGHUP'] as const)(
    'npx neck-hub stops on %s to npx: port free, no process left',
    async (signal) => {
      const port = await freePort();
      const npx = Launched.start('npx', ['neck-hub', '--port', String(port), '--no-tunnel'], {
        NECK_CONFIG_DIR: configDir,
        PEER_SHARED_SECRET: PASSWORD,
      });
      launched.push(npx);
      await npx.program.waitFor(/listening on http:\/\//, 60_000);
      expect(await answers(`http://127.0.0.1:${port}/`)).toBe(true);

      process.kill(npx.group, signal);
      expect(await npx.ended()).toEqual({ code: null, signal });

      expect(await npx.survivorsAfter(2_000)).toEqual([]);
      expect(await canListen('0.0.0.0', port)).toBe(true);
      // The hub's own clean stop (closeOnSignals), not a kill.
      expect(npx.output).toContain('SIGTERM: shutting down…');
      expect(npx.output.join('\n')).not.toMatch(/shutdown failed/);
    },
    90_000,
  );
});

describe('the built programs', () => {
  async function startHub(args: string[] = []): Promise<{ hub: Program; url: string }> {
    const hub = Program.start('hub', ['--port', '0', '--no-tunnel', ...args], {
      NECK_CONFIG_DIR: configDir,
      PEER_SHARED_SECRET: PASSWORD,
    });
    programs.push(hub);
    const [, url] = await hub.waitFor(/listening on (http:\/\/\S+)/);
    return { hub, url: url ?? '' };
  }

  const NEST_START_UP = /\[(NestFactory|InstanceLoader|RoutesResolver|RouterExplorer|WebSocketsController)\]/;

  it('neck-hub prints where it listens and its web page, without Nest’s start-up lines', async () => {
    const { hub, url } = await startHub();
    const [, page] = await hub.waitFor(/web page: (http:\/\/\S+)$/);
    expect(hub.output.join('\n')).not.toMatch(NEST_START_UP);
    // Bound to every interface, and it says so; the URL it gives connects.
    expect(hub.output.join('\n')).toMatch(/listening on http:\/\/127\.0\.0\.1:\d+ \(all interfaces, 0\.0\.0\.0:\d+; /);
    expect(await answers(`${url}/`)).toBe(true);
    expect(page).toBe(`${url}/app/`);
    expect((await fetch(page ?? '')).status).toBe(200);
    expect(await hub.stop('SIGTERM')).toEqual({ code: 0, signal: null });
  });

  it('neck-hub --verbose prints Nest’s start-up lines too', async () => {
    const { hub } = await startHub(['--verbose']);
    const text = hub.output.join('\n');
    expect(text).toMatch(/\[InstanceLoader\]/);
    expect(text).toMatch(/\[RouterExplorer\]/);
    // The gateway has no @SubscribeMessage handlers (plain Socket.IO listeners), so no WebSocketsController lines.
    expect(text).toMatch(/\[InstanceLoader\] SignallingModule dependencies initialized/);
  });

  it.each([[[]], [['--verbose']]])('neck-agent %j prints Nest’s start-up lines only with --verbose', async (extra) => {
    const { url } = await startHub();
    const agent = Program.start('neck-agent', ['--simulate', '-s', url, ...extra], {
      NECK_CONFIG_DIR: configDir,
      PEER_SHARED_SECRET: PASSWORD,
    });
    programs.push(agent);
    await agent.waitFor(/connected to http:\/\/\S+ as /);
    expect(/\[InstanceLoader\]/.test(agent.output.join('\n'))).toBe(extra.length > 0);
    expect(await agent.stop('SIGTERM')).toEqual({ code: 0, signal: null });
  });

  it('neck repl ends with 0 on SIGTERM', async () => {
    const { url } = await startHub();
    const repl = Program.start('cli', ['repl', '-s', url], {
      NECK_CONFIG_DIR: configDir,
      PEER_SHARED_SECRET: PASSWORD,
    });
    programs.push(repl);
    await repl.waitFor(/^READY /);
    expect(await repl.stop('SIGTERM')).toEqual({ code: 0, signal: null });
  });

  describe('piped into a reader that stops reading', () => {
    let url: string;
    beforeEach(async () => {
      ({ url } = await startHub());
    });

    it('neck status | head -1 ends quietly with 0', async () => {
      const result = await runCli(['status', '-s', url], 'stdout after its first line');
      expect(result).toEqual({ code: 0, signal: null, stderr: '' });
    });

    it('neck peers | head -0 ends quietly with 0', async () => {
      const result = await runCli(['peers', '-s', url], 'stdout');
      expect(result).toEqual({ code: 0, signal: null, stderr: '' });
    });

    it('neck check with a closed stderr ends quietly with 0', async () => {
      const result = await runCli(['check', 'X9999'], 'stderr');
      expect(result).toEqual({ code: 0, signal: null, stderr: '' });
    });
  });
});

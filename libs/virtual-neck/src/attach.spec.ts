import { parseHealthLine } from '@neck-signal/protocol';
import { ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ReadlineParser, SerialPort } from 'serialport';
import { attachVirtualNeckToPath, VirtualNeckAttachment } from './attach';

const LINK_TIMEOUT_MS = 5000;
const LINE_TIMEOUT_MS = 5000;

/** Polls until every path exists (socat has made its PTYs); fails early if socat exits. */
async function waitForLinks(paths: string[], socat: ChildProcess, stderr: () => string): Promise<void> {
  const deadline = Date.now() + LINK_TIMEOUT_MS;
  while (!paths.every((path) => existsSync(path))) {
    if (socat.exitCode !== null) throw new Error(`socat exited with ${socat.exitCode}: ${stderr()}`);
    if (Date.now() > deadline) throw new Error(`socat made no PTY links within ${LINK_TIMEOUT_MS} ms: ${stderr()}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function openSerialPort(path: string): Promise<SerialPort> {
  return new Promise((resolve, reject) => {
    const port = new SerialPort({ path, baudRate: 115_200 }, (error) => (error ? reject(error) : resolve(port)));
  });
}

describe('attachVirtualNeckToPath (real tty: a socat PTY pair)', () => {
  let dir: string;
  let socat: ChildProcess | undefined;
  let attachment: VirtualNeckAttachment | undefined;
  let agent: SerialPort | undefined;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'virtual-neck-pty-'));
  });

  afterEach(async () => {
    if (agent?.isOpen) {
      const port = agent;
      await new Promise<void>((resolve) => port.close(() => resolve()));
    }
    await attachment?.close();
    const child = socat;
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
    agent = undefined;
    attachment = undefined;
    socat = undefined;
  });

  it('answers HEALTH written on the other end of the PTY pair', async () => {
    const neckLink = join(dir, 'neck');
    const agentLink = join(dir, 'agent');
    let stderr = '';
    socat = spawn('socat', ['-d', '-d', `pty,raw,echo=0,link=${neckLink}`, `pty,raw,echo=0,link=${agentLink}`]);
    socat.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    await waitForLinks([neckLink, agentLink], socat, () => stderr);

    attachment = await attachVirtualNeckToPath(neckLink, { homingScale: 0 });
    expect(attachment.neck.isPowered).toBe(true);

    agent = await openSerialPort(agentLink);
    const parser = agent.pipe(new ReadlineParser({ delimiter: '\r\n' }));
    const healthLine = new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no HEALTH line within ${LINE_TIMEOUT_MS} ms`)), LINE_TIMEOUT_MS);
      parser.on('data', (line: string) => {
        if (!line.startsWith('HEALTH|')) return;
        clearTimeout(timer);
        resolve(line);
      });
    });
    // Opening the tty booted the neck: what is written before it has booted is lost, as on a real board.
    await attachment.neck.idle();
    agent.write('HEALTH\n');

    const health = parseHealthLine(await healthLine);
    expect(health).toMatchObject({ device: 'NECK', role: 'STEWART_NECK', proto: 1, baud: 115_200, motors: 6 });
    expect(attachment.neck.received).toEqual(['HEALTH']);

    await attachment.close();
    expect(attachment.neck.isPowered).toBe(false);
    await expect(attachment.closed).resolves.toBeUndefined();
  });

  it('with bootOnAttach false leaves the neck off until reset(), as a harness that waits for the other end', async () => {
    const neckLink = join(dir, 'neck');
    const agentLink = join(dir, 'agent');
    let stderr = '';
    socat = spawn('socat', ['-d', '-d', `pty,raw,echo=0,link=${neckLink}`, `pty,raw,echo=0,link=${agentLink}`]);
    socat.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    await waitForLinks([neckLink, agentLink], socat, () => stderr);

    attachment = await attachVirtualNeckToPath(neckLink, { homingScale: 0, bootOnAttach: false });
    expect(attachment.neck.state).toBe('off');
    agent = await openSerialPort(agentLink);
    attachment.neck.reset();
    expect(attachment.neck.state).toBe('booting');
    await attachment.neck.idle();
    const parser = agent.pipe(new ReadlineParser({ delimiter: '\r\n' }));
    const healthLine = new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no HEALTH line within ${LINE_TIMEOUT_MS} ms`)), LINE_TIMEOUT_MS);
      parser.on('data', (line: string) => {
        if (!line.startsWith('HEALTH|')) return;
        clearTimeout(timer);
        resolve(line);
      });
    });
    agent.write('HEALTH\n');
    expect(parseHealthLine(await healthLine)).toMatchObject({ device: 'NECK' });
    expect(attachment.neck.boots).toBe(1);
  });
});

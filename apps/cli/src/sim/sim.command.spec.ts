import { ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { ReadlineParser, SerialPort } from 'serialport';
import { ManualShutdown, TestContext, runCli, startCli, tempDir } from '../../test/cli-test-kit';

/** A socat PTY pair: `neck` and `agent` are links to its two ends. */
async function ptyPair(dir: string): Promise<{ socat: ChildProcess; neck: string; agent: string }> {
  const neck = join(dir, 'neck');
  const agent = join(dir, 'agent');
  const socat = spawn('socat', ['-d', '-d', `pty,raw,echo=0,link=${neck}`, `pty,raw,echo=0,link=${agent}`]);
  let stderr = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`socat did not start:\n${stderr}`)), 5_000);
    socat.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      if (stderr.includes('starting data transfer loop')) {
        clearTimeout(timer);
        resolve();
      }
    });
    socat.once('exit', (code) => reject(new Error(`socat exited with ${code}:\n${stderr}`)));
  });
  return { socat, neck, agent };
}

function openPort(path: string): Promise<SerialPort> {
  return new Promise((resolve, reject) => {
    const port = new SerialPort({ path, baudRate: 115_200 }, (error) => (error ? reject(error) : resolve(port)));
  });
}

describe('neck sim', () => {
  let dir: { path: string; remove: () => void };
  let socat: ChildProcess | undefined;
  let port: SerialPort | undefined;

  beforeEach(() => {
    dir = tempDir('neck-sim-');
  });

  afterEach(async () => {
    if (port?.isOpen) {
      const open = port;
      await new Promise<void>((resolve) => open.close(() => resolve()));
    }
    if (socat && socat.exitCode === null && socat.signalCode === null) {
      const exited = once(socat, 'exit');
      socat.kill('SIGTERM');
      await exited;
    }
    port = undefined;
    socat = undefined;
    dir.remove();
  });

  it('puts the virtual neck on a tty: it answers HEALTH, shows what it gets, and stops on SIGINT', async () => {
    const pair = await ptyPair(dir.path);
    socat = pair.socat;
    const shutdown = new ManualShutdown();
    const run = await startCli(['sim', '--serial', pair.neck, '--fast-homing'], {
      context: new TestContext({}),
      shutdown,
    });
    await run.output.waitFor(/^virtual neck on .* at 115200 baud/);
    // The neck loses what is sent while it boots; with --fast-homing it reads once it has said it homes.
    await run.output.waitFor(/^printed: {2}Executing HOME_BRUTE command\.\.\.$/);
    port = await openPort(pair.agent);
    const lines = port.pipe(new ReadlineParser({ delimiter: '\r\n' }));
    const health = new Promise<string>((resolve) =>
      lines.on('data', (line: string) => {
        if (line.startsWith('HEALTH|')) resolve(line);
      }),
    );
    port.write('HEALTH\n');
    expect(await health).toMatch(/^HEALTH\|DEVICE=NECK\|ROLE=STEWART_NECK\|PROTO=1\|/);
    await run.output.waitFor(/^received: HEALTH$/);
    await run.output.waitFor(/^printed: {2}HEALTH\|DEVICE=NECK/);
    shutdown.trigger('SIGINT');
    await run.done;
    expect(run.output.code).toBe(0);
    expect(run.output.lines.at(-1)).toBe('SIGINT: stopping the virtual neck');
    expect(run.output.lines.at(-2)).toMatch(/^virtual neck stats: 1 lines run; 0 bytes lost/);
  });

  it('shouts what the firmware gets wrong, and sums it up on exit', async () => {
    const pair = await ptyPair(dir.path);
    socat = pair.socat;
    const shutdown = new ManualShutdown();
    const run = await startCli(['sim', '--serial', pair.neck, '--fast-homing'], {
      context: new TestContext({}),
      shutdown,
    });
    await run.output.waitFor(/^printed: {2}Executing HOME_BRUTE command\.\.\.$/);
    port = await openPort(pair.agent);
    port.write('X10,S5\nQ:0.7071,0,0.7071,0\n');
    await run.output.waitFor(
      /^! REFUSED speed S5 \(240000 Hz > 201257, under 80 ticks of 16 MHz\): the stepper keeps 144000 Hz$/,
    );
    await run.output.waitFor(/^! UNDEFINED targets: pitch is NaN for Q:0\.7071,0,0\.7071,0: /);
    await run.output.waitFor(
      /^printed: {2}Quaternion command received\. Euler angles \(deg\): Yaw=180, Pitch=2147483647, Roll=180$/,
    );
    shutdown.trigger('SIGINT');
    await run.done;
    expect(run.output.code).toBe(0);
    expect(run.output.lines.at(-2)).toBe(
      'virtual neck stats: 2 lines run; 0 bytes lost (0 to a reset); 0 garbled lines; 0 split lines; ' +
        '1 refused speed/accel settings; 1 undefined targets',
    );
  });

  it('says so when it simulates the legacy firmware, which never answers HEALTH', async () => {
    const pair = await ptyPair(dir.path);
    socat = pair.socat;
    const shutdown = new ManualShutdown();
    const run = await startCli(['sim', '--serial', pair.neck, '--fast-homing', '--legacy'], {
      context: new TestContext({}),
      shutdown,
    });
    await run.output.waitFor(/^virtual neck on .* at 115200 baud \(legacy firmware\);/);
    await run.output.waitFor(/^printed: {2}Executing HOME_BRUTE command\.\.\.$/);
    port = await openPort(pair.agent);
    port.write('STATUS\nHEALTH\n');
    await run.output.waitFor(/^received: HEALTH$/);
    await run.output.waitFor(/^! REFUSED speed S0 \(0 Hz ≤ 0\): the stepper keeps 144000 Hz$/);
    shutdown.trigger('SIGINT');
    await run.done;
    expect(run.output.lines.some((line) => line.startsWith('printed:  HEALTH|'))).toBe(false);
  });

  it('exits 2 without --serial, and 1 when the tty cannot be opened', async () => {
    const missing = await runCli(['sim'], { context: new TestContext({}) });
    expect(missing.code).toBe(2);
    expect(missing.errors[0]).toMatch(/needs --serial PATH/);
    const absent = await runCli(['sim', '--serial', join(dir.path, 'nothing')], { context: new TestContext({}) });
    expect(absent.code).toBe(1);
    expect(absent.errors[0]).toMatch(/could not open .*nothing for the virtual neck/);
  });
});

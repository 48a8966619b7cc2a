import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Program } from './support/program';

describe('program entry points', () => {
  const running: Program[] = [];
  let configDir: string;
  const start = (app: string, args: string[]) => {
    const program = Program.start(app, args, { NECK_CONFIG_DIR: configDir, PEER_SHARED_SECRET: 'entry-point-test' });
    running.push(program);
    return program;
  };

  beforeEach(() => {
    configDir = mkdtempSync(join(tmpdir(), 'neck-entry-'));
  });

  afterEach(async () => {
    await Promise.all(running.splice(0).map((program) => program.kill()));
    rmSync(configDir, { recursive: true, force: true });
  });

  it('neck-hub listens on the port it is given and stops cleanly on SIGTERM', async () => {
    const hub = start('hub', ['--port', '0', '--host', '127.0.0.1', '--no-tunnel']);
    const [, url] = await hub.waitFor(/listening on (http:\/\/\S+)/);
    const response = await fetch(`${url}/`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ status: 'ok', version: expect.any(String) });
    expect(await hub.stop('SIGTERM')).toEqual({ code: 0, signal: null });
  });

  it('neck-hub stops cleanly on SIGINT', async () => {
    const hub = start('hub', ['--port', '0', '--host', '127.0.0.1', '--no-tunnel']);
    await hub.waitFor(/listening on/);
    expect(await hub.stop('SIGINT')).toEqual({ code: 0, signal: null });
  });

  it.each([
    ['hub', ['--port', 'abc'], /--port <n>.*expected a port number/],
    ['hub', ['--bogus'], /unknown option '--bogus'/],
    ['neck-agent', ['--baud', 'fast'], /--baud <n>.*expected a baud rate/],
    ['neck-agent', ['-s', 'not a url'], /expected a URL/],
    ['cli', ['bogus'], /unknown command 'bogus'/],
  ])('%s %j is a usage error: exit 2 with a message', async (app, args, message) => {
    const program = start(app, args);
    expect(await program.exit()).toEqual({ code: 2, signal: null });
    expect(program.output.join('\n')).toMatch(message);
  });

  it.each([['hub'], ['neck-agent'], ['cli']])('%s --help exits 0 and lists its flags', async (app) => {
    const program = start(app, ['--help']);
    expect(await program.exit()).toEqual({ code: 0, signal: null });
    expect(program.output.join('\n')).toMatch(/Usage: neck/);
  });
});

import { IsInt, IsOptional, IsString } from 'class-validator';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ScriptedAsker } from '../../../test/support/scripted-asker';
import { ConfigError } from './config-error';
import { readConfigFile, updateConfigFile } from './config-file';
import { FirstRun, LOCAL_HUB_URL, QUESTIONS, checkHubUrl, checkUuid } from './first-run';

class ExampleFile {
  @IsOptional() @IsString() server_url?: string;
  @IsOptional() @IsInt() port?: number;
}

describe('config files', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'neck-config-file-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('reads a file against its DTO, names the file and the key when it is wrong, and gives undefined when missing', () => {
    const path = join(dir, 'x.json');
    expect(readConfigFile(path, ExampleFile)).toBeUndefined();
    writeFileSync(path, JSON.stringify({ port: 5000, extra: true }));
    expect(readConfigFile(path, ExampleFile)).toEqual({
      raw: { port: 5000, extra: true },
      value: { port: 5000, extra: true },
    });
    writeFileSync(path, JSON.stringify({ port: 'five' }));
    expect(() => readConfigFile(path, ExampleFile)).toThrow(ConfigError);
    expect(() => readConfigFile(path, ExampleFile)).toThrow(`${path}: port must be an integer number`);
    writeFileSync(path, '{ not json');
    expect(() => readConfigFile(path, ExampleFile)).toThrow(/is not valid JSON .*; fix or delete it/);
  });

  it('updates keys and keeps the others, and drops a key set to undefined', () => {
    const path = join(dir, 'x.json');
    writeFileSync(path, JSON.stringify({ keep: 1, port: 1 }));
    updateConfigFile(path, { port: 2, server_url: undefined });
    expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual({ keep: 1, port: 2 });
    expect(statSync(path).mode & 0o777).toBe(0o644);
  });
});

describe('FirstRun', () => {
  let dir: string;
  const said: string[] = [];
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'neck-first-run-'));
    said.length = 0;
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const flow = (answers: string[] | undefined, env: NodeJS.ProcessEnv = {}, again = false) => {
    const asker = answers === undefined ? undefined : new ScriptedAsker(answers);
    const run = new FirstRun(
      dir,
      { env, asker, say: (message) => said.push(message) },
      { otherwise: 'or run neck-agent once on a terminal', again },
    );
    return { run, asker };
  };

  it('without a terminal names PEER_SHARED_SECRET, the .env file and what else to do', async () => {
    const { run } = flow(undefined);
    await expect(run.sharedPassword('peer')).rejects.toThrow(
      `no shared password: set PEER_SHARED_SECRET in the environment or in ${join(dir, '.env')} (or run neck-agent once on a terminal)`,
    );
    await expect(run.hubUrl(undefined, undefined)).rejects.toThrow(
      'no hub URL: pass -s/--server-url URL or set NECK_HUB_URL (or run neck-agent once on a terminal)',
    );
  });

  it('takes the environment over .env, asks only for what is missing, and saves the password with mode 0600', async () => {
    expect((await flow(undefined, { PEER_SHARED_SECRET: 'from-env' }).run.sharedPassword('peer')).password).toBe(
      'from-env',
    );
    const { run, asker } = flow(['typed']);
    expect(await run.sharedPassword('peer')).toEqual({ password: 'typed', saved: true, madeUp: false });
    expect(asker?.asked).toEqual([QUESTIONS.peerPassword]);
    expect(readFileSync(join(dir, '.env'), 'utf8')).toBe('PEER_SHARED_SECRET=typed\n');
    expect(statSync(join(dir, '.env')).mode & 0o777).toBe(0o600);
    const next = flow([]);
    expect(await next.run.sharedPassword('peer')).toEqual({ password: 'typed', saved: false, madeUp: false });
    expect(next.asker?.asked).toEqual([]);
  });

  it('makes a password up for a blank answer on the hub only', async () => {
    const hub = await flow(['']).run.sharedPassword('hub');
    expect(hub).toEqual({
      password: expect.stringMatching(/^[0-9a-f]{4}(-[0-9a-f]{4}){3}$/),
      saved: true,
      madeUp: true,
    });
    rmSync(join(dir, '.env'));
    await expect(flow(['']).run.sharedPassword('peer')).rejects.toThrow(/no shared password given/);
  });

  it('again (neck setup): asks every question offering the saved answer; a blank password keeps the saved one', async () => {
    await flow(['first']).run.sharedPassword('peer');
    const { run, asker } = flow(['', '', ''], {}, true);
    expect(await run.sharedPassword('peer')).toEqual({ password: 'first', saved: false, madeUp: false });
    expect(await run.hubUrl(undefined, 'https://saved.example/')).toEqual({
      url: 'https://saved.example',
      asked: true,
    });
    expect(await run.uuid(QUESTIONS.cliUuid, undefined, 'me')).toEqual({ uuid: 'me', asked: true });
    expect(asker?.asked).toEqual([QUESTIONS.keepPassword, QUESTIONS.hubUrl, QUESTIONS.cliUuid]);
  });

  it('a hub URL comes from the flag, NECK_HUB_URL, the saved one, else the question offering the local hub', async () => {
    expect((await flow([]).run.hubUrl('http://flag:1/', 'http://saved:1')).url).toBe('http://flag:1');
    expect((await flow([], { NECK_HUB_URL: 'http://env:1' }).run.hubUrl(undefined, 'http://saved:1')).url).toBe(
      'http://env:1',
    );
    expect(await flow([]).run.hubUrl(undefined, 'http://saved:1')).toEqual({ url: 'http://saved:1', asked: false });
    expect(await flow(['']).run.hubUrl(undefined, undefined)).toEqual({ url: LOCAL_HUB_URL, asked: true });
  });

  it('makes up a uuid without a terminal, and checks every uuid and URL', async () => {
    expect((await flow(undefined).run.uuid(QUESTIONS.agentUuid, undefined, undefined)).uuid).toMatch(
      /^[0-9a-f]{4}(-[0-9a-f]{4}){3}$/,
    );
    expect(() => checkUuid('robot neck!')).toThrow(ConfigError);
    expect(() => checkHubUrl('ftp://x')).toThrow(
      /is not an http\(s\) URL; pass one such as http:\/\/127\.0\.0\.1:5000/,
    );
    expect(checkHubUrl(' https://a.example// ')).toBe('https://a.example');
  });
});

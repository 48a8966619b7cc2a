import { IsInt, IsOptional, IsString } from 'class-validator';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ScriptedAsker } from '../../../test/support/scripted-asker';
import { ConfigError } from './config-error';
import { readConfigFile, updateConfigFile } from './config-file';
import { FirstRun, LOCAL_HUB_URL, QUESTIONS, checkHubUrl, checkUuid } from './first-run';
import { servingCertificate } from './tls-certificate';

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
    expect(await run.uuid('cli', undefined, 'me')).toEqual({ uuid: 'me', asked: true, madeUp: false });
    expect(asker?.asked).toEqual([QUESTIONS.keepPassword, QUESTIONS.hubUrl, QUESTIONS.cliUuid]);
  });

  it('a hub URL comes from the flag, NECK_HUB_URL, the saved one, else the question offering the local hub', async () => {
    expect((await flow([]).run.hubUrl('http://flag:5001/', 'http://saved:5003')).url).toBe('http://flag:5001');
    expect((await flow([], { NECK_HUB_URL: 'http://env:5002' }).run.hubUrl(undefined, 'http://saved:5003')).url).toBe(
      'http://env:5002',
    );
    expect(await flow([]).run.hubUrl(undefined, 'http://saved:5003')).toEqual({
      url: 'http://saved:5003',
      asked: false,
    });
    expect(await flow(['']).run.hubUrl(undefined, undefined)).toEqual({ url: LOCAL_HUB_URL, asked: true });
  });

  it('names a new device from this host without a question, terminal or not, and checks every uuid and URL', async () => {
    expect(await flow(undefined).run.uuid('agent', undefined, undefined)).toEqual({
      uuid: expect.stringMatching(/^[a-z0-9-]+-neck-[0-9a-f]{4}$/),
      asked: false,
      madeUp: true,
    });
    const { run, asker } = flow([]);
    expect((await run.uuid('cli', undefined, undefined)).uuid).toMatch(/^[a-z0-9-]+-cli-[0-9a-f]{4}$/);
    expect(asker?.asked).toEqual([]);
    // As lenient as the original hub: printable text, spaces included.
    expect(checkUuid('robot neck!')).toBe('robot neck!');
    expect(checkUuid('tête 1')).toBe('tête 1');
    for (const refused of ['robot\nneck', 'tab\there', '   ', '', '*', 'x'.repeat(65), 'bidi\u202Etext']) {
      expect(() => checkUuid(refused)).toThrow(ConfigError);
    }
    expect(() => checkUuid('robot\nneck')).toThrow(
      'the hub would refuse uuid "robot\\nneck": uuid must be printable text of 1 to 64 characters, not only spaces and not *, without control characters or line breaks',
    );
    expect(() => checkHubUrl('ftp://x')).toThrow(
      /is not an http\(s\) URL; pass one such as http:\/\/127\.0\.0\.1:5000/,
    );
    expect(checkHubUrl(' https://a.example// ')).toBe('https://a.example');
  });

  // Adversary: a hub URL on a port fetch refuses, which the old code took and then retried for ever ("bad port").
  it.each([
    ['the flag', (run: FirstRun) => run.hubUrl('http://127.0.0.1:6000', undefined)],
    ['the saved one', (run: FirstRun) => run.hubUrl(undefined, 'http://127.0.0.1:6000/')],
  ])('refuses a hub URL on a bad port from %s, naming the port and what to do', async (_from, resolveUrl) => {
    await expect(resolveUrl(flow(undefined).run)).rejects.toThrow(
      /^hub URL http:\/\/127\.0\.0\.1:6000\/?: port 6000 is a "bad port" .*; pick another, e\.g\. 6001$/,
    );
  });

  it('refuses a hub URL on a bad port from NECK_HUB_URL (environment, .env) or the question; takes a scheme’s default port', async () => {
    await expect(
      flow(undefined, { NECK_HUB_URL: 'http://hub.example:6667' }).run.hubUrl(undefined, undefined),
    ).rejects.toThrow(ConfigError);
    writeFileSync(join(dir, '.env'), 'NECK_HUB_URL=http://hub.example:10080\n');
    await expect(flow(undefined).run.hubUrl(undefined, undefined)).rejects.toThrow(/port 10080 is a "bad port"/);
    rmSync(join(dir, '.env'));
    await expect(flow(['http://127.0.0.1:5060']).run.hubUrl(undefined, undefined)).rejects.toThrow(/port 5060/);
    expect(checkHubUrl('http://hub.example')).toBe('http://hub.example');
  });

  it('the hub certificate comes from the flag, NECK_HUB_CA (environment, .env) or the saved path, checked', async () => {
    const hubDir = join(dir, 'hub');
    const { caPath, ca } = await servingCertificate(hubDir, []);
    const { run } = flow(undefined);
    expect(run.hubCa(undefined, undefined, 'agent.json')).toBeUndefined();
    expect(run.hubCa(caPath, 'elsewhere.pem', 'agent.json')).toEqual({ path: caPath, pem: ca });
    expect(flow(undefined, { NECK_HUB_CA: caPath }).run.hubCa(undefined, 'x.pem', 'agent.json')?.path).toBe(caPath);
    // Saved paths are relative to the config dir.
    expect(run.hubCa(undefined, 'hub/https-ca.pem', 'agent.json')?.pem).toBe(ca);
    expect(() => run.hubCa(undefined, 'missing.pem', 'agent.json')).toThrow(/\(hub_ca in agent\.json\)/);
    writeFileSync(join(dir, '.env'), `NECK_HUB_CA=${join(dir, 'nope.pem')}\n`);
    expect(() => flow(undefined).run.hubCa(undefined, undefined, 'cli.json')).toThrow(/\(NECK_HUB_CA\)/);
  });
});

import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { envValue, readEnvFile, updateEnvFile } from './env-file';

describe('.env files', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'neck-env-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('writes atomically with mode 0600, keeps other keys and quotes what needs it', () => {
    const file = join(dir, '.env');
    updateEnvFile(file, { A: 'plain', B: "it's got spaces" });
    updateEnvFile(file, { C: 'more words' });
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readEnvFile(file)).toEqual({ A: 'plain', B: "it's got spaces", C: 'more words' });
    expect(readFileSync(file, 'utf8')).toBe(`A=plain\nB="it's got spaces"\nC='more words'\n`);
  });

  it('tightens a readable .env to 0600 when reading it', () => {
    const file = join(dir, '.env');
    writeFileSync(file, 'X=1\n', { mode: 0o644 });
    expect(readEnvFile(file)).toEqual({ X: '1' });
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it('gives {} for a missing file', () => {
    expect(readEnvFile(join(dir, 'nothing'))).toEqual({});
  });

  it('prefers the environment, and an empty variable does not hide the file', () => {
    expect(envValue('K', { K: 'env' }, { K: 'file' })).toBe('env');
    expect(envValue('K', { K: '' }, { K: 'file' })).toBe('file');
    expect(envValue('K', {}, { K: '' })).toBeUndefined();
    expect(envValue('K', {}, {})).toBeUndefined();
  });
});

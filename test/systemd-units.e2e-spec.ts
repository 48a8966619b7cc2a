import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './support/program';

const UNITS = join(REPO_ROOT, 'deploy', 'systemd');

function directives(unit: string): Map<string, string[]> {
  const values = new Map<string, string[]>();
  for (const line of readFileSync(join(UNITS, unit), 'utf8').split('\n')) {
    const match = /^([A-Za-z]+)=(.*)$/.exec(line.trim());
    if (match) values.set(match[1], [...(values.get(match[1]) ?? []), match[2]]);
  }
  return values;
}

describe.each(['neck-agent.service', 'neck-hub.service'])('deploy/systemd/%s', (unit) => {
  const values = directives(unit);

  it('passes systemd-analyze verify without a warning', () => {
    // systemd-analyze comes with Debian's systemd (checked by the test bootstrap). It exits 0 on unknown keys
    // and bad values, only warning on stderr, so the warnings are what is checked.
    const result = spawnSync('systemd-analyze', ['verify', join(UNITS, unit)], { encoding: 'utf8' });
    expect(result.status).toBe(0);
    expect(result.stderr).toBe('');
  });

  it('restarts on failure, stops with SIGTERM and runs hardened with only the config dir writable', () => {
    expect(values.get('Restart')).toEqual(['on-failure']);
    expect(values.get('KillSignal')).toEqual(['SIGTERM']);
    expect(values.get('NoNewPrivileges')).toEqual(['yes']);
    expect(values.get('ProtectSystem')).toEqual(['strict']);
    expect(values.get('ProtectHome')).toEqual(['yes']);
    expect(values.get('StateDirectory')).toEqual(['neck-signal']);
    expect(values.get('Environment')).toContain('NECK_CONFIG_DIR=/var/lib/neck-signal');
    expect(values.get('CapabilityBoundingSet')).toEqual(['']);
    // V8 needs writable+executable memory: MemoryDenyWriteExecute would kill node.
    expect(values.has('MemoryDenyWriteExecute')).toBe(false);
  });

  it('starts a program that the build produces', () => {
    const [execStart] = values.get('ExecStart') ?? [''];
    const script = /\/opt\/neck-signal\/(\S+\.js)/.exec(execStart)?.[1];
    expect(script).toMatch(/^dist\/apps\/(hub|neck-agent)\/main\.js$/);
    expect(existsSync(join(REPO_ROOT, script ?? ''))).toBe(true);
  });
});

it('gives the agent the serial port through the dialout group, and the hub no devices', () => {
  expect(directives('neck-agent.service').get('SupplementaryGroups')).toEqual(['dialout']);
  expect(directives('neck-hub.service').get('PrivateDevices')).toEqual(['yes']);
});

it('keeps the agent to two malloc arenas (its RSS on a small board: README, Benchmarks)', () => {
  expect(directives('neck-agent.service').get('Environment')).toContain('MALLOC_ARENA_MAX=2');
});

it('sets no device policy on the agent that would hide /dev/ttyUSB* and /dev/ttyACM*', () => {
  const agent = directives('neck-agent.service');
  // Each of these closes the devices not listed in DeviceAllow=; ProtectClock=yes does it through its implied
  // DeviceAllow=char-rtc r on systemd before 252 (Raspberry Pi OS Bullseye ships 247).
  expect(agent.get('ProtectClock') ?? []).not.toContain('yes');
  expect(agent.get('PrivateDevices') ?? []).not.toContain('yes');
  const allowed = agent.get('DeviceAllow') ?? [];
  const policy = agent.get('DevicePolicy') ?? [];
  if (allowed.length > 0 || policy.some((value) => value !== 'auto')) {
    expect(allowed).toEqual(expect.arrayContaining(['char-ttyUSB rw', 'char-ttyACM rw']));
  }
});

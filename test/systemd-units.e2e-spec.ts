import { spawn, spawnSync } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HubClient } from '@neck-signal/hub-client';
import { HubPaths } from '@neck-signal/protocol';
import {
  AGENT_UUID,
  HOMING_SCALE,
  PASSWORD,
  attachNeck,
  closeRig,
  expectWritten,
  nextStatus,
  startHub,
  startPty,
  track,
} from './support/neck-rig';
import { Program, REPO_ROOT } from './support/program';

const UNITS = join(REPO_ROOT, 'deploy', 'systemd');
/** What the units' PrivateTmp= and ProtectHome= hide (test/support/unit_sandbox.py does the same). */
const HIDDEN_TOPS = ['/tmp/', '/var/tmp/', '/home/', '/root/', '/run/user/'];

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

  it('points at install docs that exist in the checkout', () => {
    const docs = (values.get('Documentation') ?? []).map((url) => url.replace('file:///opt/neck-signal/', ''));
    expect(docs).toEqual(['docs/raspberry-pi.md']);
    expect(existsSync(join(REPO_ROOT, docs[0]))).toBe(true);
    expect(readFileSync(join(UNITS, unit), 'utf8')).toMatch(/^# Install: see docs\/raspberry-pi\.md/m);
  });

  it('starts a program that the build produces', () => {
    const [execStart] = values.get('ExecStart') ?? [''];
    const script = /\/opt\/neck-signal\/(\S+\.js)/.exec(execStart)?.[1];
    expect(script).toMatch(/^dist\/apps\/(hub|neck-agent)\/main\.js$/);
    expect(existsSync(join(REPO_ROOT, script ?? ''))).toBe(true);
  });
});

// Adversary: a unit that drifts from the bin, so that a Pi started by systemd runs without the agent's node flags.
it("starts the agent with its bin's node flags", () => {
  const shebang = readFileSync(join(REPO_ROOT, 'bin', 'neck-agent.js'), 'utf8').split('\n')[0];
  const flags = shebang.split(/\s+/).filter((word) => word.startsWith('--'));
  expect(flags).toContain('--max-semi-space-size=2');
  const [execStart] = directives('neck-agent.service').get('ExecStart') ?? [''];
  const words = execStart.split(/\s+/);
  expect(words.slice(1, words.indexOf('/opt/neck-signal/dist/apps/neck-agent/main.js'))).toEqual(flags);
});

it('gives the agent the serial port through the dialout group, and the hub no devices', () => {
  expect(directives('neck-agent.service').get('SupplementaryGroups')).toEqual(['dialout']);
  expect(directives('neck-hub.service').get('PrivateDevices')).toEqual(['yes']);
});

it('keeps the agent to two malloc arenas (its RSS on a small board: docs/benchmarks.md)', () => {
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

/**
 * Each unit's program, built, started the way the unit starts it and under its sandbox: this machine runs no
 * systemd (no `systemd-run`), so test/support/unit_sandbox.py applies the unit's RestrictAddressFamilies= (a
 * seccomp filter, as systemd's), NoNewPrivileges=, ProtectSystem=strict with the state directory writable,
 * ProtectKernelTunables=, PrivateTmp=, ProtectHome=, User= (nobody here), SupplementaryGroups= and UMask=.
 * Not applied: PrivateDevices=, ProtectClock=, ProtectHostname=, RestrictNamespaces=, RestrictRealtime=,
 * LockPersonality=, RestrictSUIDSGID= (systemd-analyze verify checks their spelling above).
 */
describe('the units’ programs under their sandbox (an unprivileged, read-only, netlink-filtered start)', () => {
  /** The user the sandbox runs as (User=neck on a Pi). */
  const NOBODY = 65534;

  beforeAll(() => {
    if (process.getuid?.() !== 0) {
      throw new Error('these tests make a mount namespace and drop to another user: run them as root');
    }
  });
  afterEach(() => closeRig());

  /** A fresh state directory (StateDirectory=) owned by the unit's user, mode 0700. */
  function stateDir(files: Record<string, string> = {}): string {
    const dir = mkdtempSync(join(tmpdir(), 'neck-unit-state-'));
    track(() => rmSync(dir, { recursive: true, force: true }));
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
    for (const name of ['', ...Object.keys(files)]) chownSync(join(dir, name), NOBODY, NOBODY);
    return dir;
  }

  function groupId(name: string): number {
    const line = readFileSync('/etc/group', 'utf8')
      .split('\n')
      .find((entry) => entry.startsWith(`${name}:`));
    if (line === undefined) throw new Error(`no group ${name} in /etc/group`);
    return Number(line.split(':')[2]);
  }

  /**
   * Runs `unit`'s ExecStart (node and /opt/neck-signal as here) with `args` appended, its Environment= (the
   * state directory as NECK_CONFIG_DIR) and `env`, under its sandbox; `families` overrides its address families.
   */
  function startUnit(
    unit: string,
    state: string,
    options: { args?: string[]; env?: NodeJS.ProcessEnv; families?: string; visible?: string[] } = {},
  ): Program {
    const values = directives(unit);
    const [execStart] = values.get('ExecStart') ?? [''];
    const [node, ...command] = execStart.split(/\s+/);
    expect(node).toBe('/usr/bin/node');
    const script = command.map((word) => word.replace(/^\/opt\/neck-signal\//, `${REPO_ROOT}/`));
    const unitEnv = Object.fromEntries(
      (values.get('Environment') ?? []).map((entry) => {
        const [key, ...value] = entry.split('=');
        return [key, value.join('=')];
      }),
    );
    expect(unitEnv.NECK_CONFIG_DIR).toBe('/var/lib/neck-signal');
    const groups = (values.get('SupplementaryGroups') ?? []).map(groupId).join(',');
    const [families] = values.get('RestrictAddressFamilies') ?? [''];
    const [umask] = values.get('UMask') ?? ['0022'];
    const sandbox = [
      join(REPO_ROOT, 'test', 'support', 'unit_sandbox.py'),
      '--families',
      options.families ?? families,
      '--writable',
      state,
      // On a robot the checkout is /opt/neck-signal; a test's checkout may lie where the sandbox hides (/tmp, /home).
      ...[
        ...(options.visible ?? []),
        ...(HIDDEN_TOPS.some((top) => REPO_ROOT.startsWith(top)) ? [REPO_ROOT] : []),
      ].flatMap((dir) => ['--visible', dir]),
      '--uid',
      String(NOBODY),
      '--gid',
      String(NOBODY),
      '--groups',
      groups,
      '--umask',
      umask,
      '--',
      process.execPath,
      ...script,
      ...(options.args ?? []),
    ];
    const child = spawn('python3', sandbox, {
      cwd: REPO_ROOT,
      env: { PATH: process.env.PATH, NO_COLOR: '1', ...unitEnv, NECK_CONFIG_DIR: state, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const program = new Program(child, unit);
    track(() => program.kill());
    return program;
  }

  const hubArgs = ['--port', '0', '--no-tunnel'];

  it('the hub, as its unit allows, starts (listing this machine’s addresses over netlink), serves and stops on SIGTERM', async () => {
    const state = stateDir();
    const hub = startUnit('neck-hub.service', state, { args: hubArgs, env: { PEER_SHARED_SECRET: PASSWORD } });
    const [, url] = await hub.waitFor(/listening on (http:\/\/\S+)/);
    await hub.waitFor(/from other machines: /);
    const health = await fetch(`${url}${HubPaths.Health}`, { headers: { accept: 'application/json' } });
    expect(health.status).toBe(200);
    expect(await hub.stop()).toEqual({ code: 0, signal: null });
    // It wrote its config and secrets in its state directory, the one place it may.
    expect(readdirSync(state).sort()).toEqual(['.env', 'hub.json']);
  });

  it('the adversary: a sandbox without AF_NETLINK (the unit before issue 21) crash-loops the hub, so the filter is real', async () => {
    const hub = startUnit('neck-hub.service', stateDir(), {
      args: hubArgs,
      env: { PEER_SHARED_SECRET: PASSWORD },
      families: 'AF_UNIX AF_INET AF_INET6',
    });
    const { code } = await hub.exit();
    expect(code).not.toBe(0);
    expect(hub.output.join('\n')).toMatch(/uv_interface_addresses returned Unknown system error 97/);
  });

  it('the agent, as its unit allows (the port through the dialout group), reaches a hub, homes the neck and writes a pose', async () => {
    const { port } = await startHub(stateDir());
    // Like /dev, where a real port's node is: anyone may look it up; the port's own mode and group decide.
    const ptyDir = mkdtempSync(join(tmpdir(), 'neck-unit-pty-'));
    chmodSync(ptyDir, 0o755);
    track(() => rmSync(ptyDir, { recursive: true, force: true }));
    const pty = await startPty(ptyDir, { agentGroup: 'dialout' });
    const { neck } = await attachNeck(pty.neckPath, { homingScale: HOMING_SCALE });
    const ui = new HubClient({ url: `http://127.0.0.1:${port}`, password: PASSWORD, uuid: 'e2e-ui', role: 'ui' });
    track(() => ui.close());
    await ui.connect();
    const ready = nextStatus(ui, (status) => status.firmware.state === 'ready' && status.pose !== null, 30_000);
    const state = stateDir({ 'agent.json': JSON.stringify({ serial_retry_ms: 100, login_retry_ms: 100 }) });
    const agent = startUnit('neck-agent.service', state, {
      args: ['-s', `http://127.0.0.1:${port}`, '-u', AGENT_UUID, '--serial', pty.agentPath],
      env: { PEER_SHARED_SECRET: PASSWORD },
      visible: [ptyDir],
    });
    await pty.connected().catch((error: Error) => {
      throw new Error(`${error.message}\nthe agent said:\n${agent.output.join('\n')}`);
    });
    neck.reset();
    expect((await ready).status.serial).toMatchObject({ state: 'open', path: pty.agentPath });
    await expectWritten({ ui }, 'X10', 'X10,Y0,Z0,H0,S1,A1,R0,P0');
    await neck.untilLine('X10,Y0,Z0,H0,S1,A1,R0,P0');
    expect(await agent.stop()).toEqual({ code: 0, signal: null });
  });
});

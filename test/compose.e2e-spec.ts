import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { Program, REPO_ROOT } from './support/program';
import { freePort } from './support/redis-server';

// CI has no Docker: docker-compose.test.yml is checked here against what it runs, the built programs.

interface Service {
  image?: string;
  command?: string[];
  working_dir?: string;
  volumes?: string[];
  environment?: Record<string, string>;
  ports?: string[];
  healthcheck?: { test?: string[] };
  depends_on?: Record<string, { condition?: string }>;
}

const compose = parse(readFileSync(join(REPO_ROOT, 'docker-compose.test.yml'), 'utf8'), { merge: true }) as {
  services: Record<string, Service>;
};
const { services } = compose;
const service = (name: string): Service => services[name] ?? {};

/** Official Docker Hub images the file may use, with a tag pattern that such an image publishes. */
const OFFICIAL_IMAGES: Record<string, RegExp> = {
  node: /^(\d+)(\.\d+){0,2}(-(bookworm|bullseye|alpine|slim|bookworm-slim|bullseye-slim|alpine3\.\d+))?$/,
  redis: /^\d+(\.\d+){0,2}(-(alpine|bookworm))?$/,
};
const PROGRAMS = ['dist/apps/hub/main.js', 'dist/apps/neck-agent/main.js', 'dist/apps/cli/main.js'];
const nodeServices = Object.entries(services).filter(([, each]) => each.image?.startsWith('node:'));

/** The value after `flag` in a command line. */
function flagValue(command: string[] | undefined, ...flags: string[]): string | undefined {
  const at = (command ?? []).findIndex((arg) => flags.includes(arg));
  return at < 0 ? undefined : command?.[at + 1];
}

/** Runs a healthcheck's `node -e` script with its URL pointed at `url`; resolves with its exit code. */
function runHealthcheck(test: string[] | undefined, from: string, url: string): number | null {
  const [kind, program, flag, script] = test ?? [];
  expect([kind, program, flag]).toEqual(['CMD', 'node', '-e']);
  expect(script).toContain(from);
  const result = spawnSync(process.execPath, ['-e', (script ?? '').split(from).join(url)], { timeout: 10_000 });
  return result.status;
}

describe('docker-compose.test.yml', () => {
  it('has a redis, two hubs and an agent', () => {
    expect(Object.keys(services).sort()).toEqual(['agent', 'hub', 'hub2', 'redis']);
  });

  it.each(Object.keys(services))('%s uses an official image with a tag that exists', (name) => {
    const [image, tag = ''] = (service(name).image ?? '').split(':');
    const pattern = OFFICIAL_IMAGES[image ?? ''];
    expect(pattern).toBeDefined();
    expect(tag).toMatch(pattern ?? /^$/);
    if (image === 'node') {
      const wanted = /^>=(\d+)/.exec(
        (JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { engines: { node: string } }).engines
          .node,
      );
      expect(Number(/^\d+/.exec(tag)?.[0])).toBeGreaterThanOrEqual(Number(wanted?.[1]));
    }
  });

  it.each(nodeServices.map(([name]) => name))(
    '%s runs a built program of this checkout, mounted where it works',
    (name) => {
      const { command, working_dir: workdir, volumes } = service(name);
      expect(command?.[0]).toBe('node');
      expect(PROGRAMS).toContain(command?.[1]);
      expect(existsSync(join(REPO_ROOT, command?.[1] ?? ''))).toBe(true);
      expect(volumes).toContain(`.:${workdir ?? ''}:ro`);
    },
  );

  it.each(nodeServices.map(([name]) => name))('%s passes only flags its program accepts', (name) => {
    const [, script = '', ...args] = service(name).command ?? [];
    const help = spawnSync(process.execPath, [join(REPO_ROOT, script), '--help'], { encoding: 'utf8' });
    expect(help.status).toBe(0);
    const known = new Set(help.stdout.match(/(?<=^|[\s,])--?[a-z][\w-]*/gm));
    expect(args.filter((arg) => arg.startsWith('-')).filter((flag) => !known.has(flag))).toEqual([]);
    // And the program parses the whole line (values included): --help at the end exits 0 only if it does.
    const parsed = spawnSync(process.execPath, [join(REPO_ROOT, script), ...args, '--help'], { encoding: 'utf8' });
    expect({ status: parsed.status, stderr: parsed.stderr }).toEqual({ status: 0, stderr: '' });
  });

  it('wires the hubs as the README’s "Several hubs": same secrets, the same Redis, distinct host ports', () => {
    const hubs = [service('hub'), service('hub2')];
    for (const hub of hubs) {
      expect(hub.environment?.PEER_SHARED_SECRET).toMatch(/^\$\{PEER_SHARED_SECRET:\?.+\}$/);
      expect(hub.environment?.JWT_SECRET).toMatch(/^\$\{JWT_SECRET:\?.+\}$/);
      expect(flagValue(hub.command, '--redis')).toBe('redis://redis:6379');
      expect(hub.command).toContain('--no-tunnel');
      expect(hub.depends_on?.redis?.condition).toBe('service_healthy');
    }
    expect(hubs[0]?.environment).toEqual(hubs[1]?.environment);
    const hostPorts = hubs.map((hub) => hub.ports?.[0]?.split(':').slice(0, -1).join(':'));
    expect(new Set(hostPorts).size).toBe(2);
    for (const [hub, ports] of hubs.map((each) => [each, each.ports ?? []] as const)) {
      expect(ports[0]?.split(':').at(-1)).toBe(flagValue(hub.command, '--port'));
    }
  });

  it('points the agent at the first hub, on the virtual neck, with the same password', () => {
    const agent = service('agent');
    expect(agent.command).toContain('--simulate');
    expect(flagValue(agent.command, '-s', '--server-url')).toBe(
      `http://hub:${flagValue(service('hub').command, '--port')}`,
    );
    expect(agent.environment?.PEER_SHARED_SECRET).toBe(service('hub').environment?.PEER_SHARED_SECRET);
    expect(agent.depends_on?.hub?.condition).toBe('service_healthy');
  });

  describe('healthchecks, run against the built programs', () => {
    let configDir: string;
    const running: Program[] = [];
    const env = () => ({ NECK_CONFIG_DIR: configDir, PEER_SHARED_SECRET: 'compose-e2e-password' });

    beforeEach(() => {
      configDir = mkdtempSync(join(tmpdir(), 'neck-compose-'));
    });

    afterEach(async () => {
      await Promise.all(running.splice(0).map((program) => program.kill()));
      rmSync(configDir, { recursive: true, force: true });
    });

    async function startHub(): Promise<string> {
      const hub = Program.start('hub', ['--port', '0', '--host', '127.0.0.1', '--no-tunnel'], env());
      running.push(hub);
      const [, url] = await hub.waitFor(/listening on (http:\/\/\S+)/);
      return url ?? '';
    }

    it.each(['hub', 'hub2'])('%s is healthy once its GET / answers, not before', async (name) => {
      const port = flagValue(service(name).command, '--port');
      const inside = `http://127.0.0.1:${port}`;
      const closed = `http://127.0.0.1:${await freePort()}`;
      expect(runHealthcheck(service(name).healthcheck?.test, inside, closed)).toBe(1);
      expect(runHealthcheck(service(name).healthcheck?.test, inside, await startHub())).toBe(0);
    });

    it('the agent is healthy once its hub lists its neck with the port open, not before', async () => {
      const url = await startHub();
      const test = service('agent').healthcheck?.test;
      const from = `http://hub:${flagValue(service('hub').command, '--port')}`;
      expect(runHealthcheck(test, from, url)).toBe(1);
      const agent = Program.start('neck-agent', ['--simulate', '-s', url], env());
      running.push(agent);
      await agent.waitFor(/serial port \S+ open/);
      await agent.waitFor(/connected to http:\/\/\S+ as /);
      // Docker retries a healthcheck; so does this, briefly, while the agent's first status reaches the hub.
      let code = runHealthcheck(test, from, url);
      for (let attempt = 0; code !== 0 && attempt < 20; attempt++) {
        await new Promise((resolve) => setTimeout(resolve, 250));
        code = runHealthcheck(test, from, url);
      }
      expect(code).toBe(0);
    });
  });
});

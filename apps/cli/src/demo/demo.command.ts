import { LogLevel } from '@nestjs/common';
import { Command, Option } from 'nest-commander';
import { join } from 'node:path';
import { formatSeconds, HubHealthDto, HubPaths, validatePayload } from '@neck-signal/protocol';
import {
  envFilePath,
  envValue,
  FirstRun,
  hubTrust,
  lanAddresses,
  lanUrl,
  pageLoginUrl,
  portOption,
  randomPassword,
  readConfigFile,
  readEnvFile,
  resolveConfigDir,
  terminalQrCode,
  updateConfigFile,
  updateEnvFile,
  withTimeout,
} from '@neck-signal/program-kit';
import type { NeckAgent } from '@neck-signal/agent';
import type { RunningHub } from '@neck-signal/hub';
import { CliOutput } from '../common/cli-output';
import { CliContext } from '../common/cli-context';
import { CommandFailure, ExitCode, reportFailures } from '../common/command-failure';
import { ConfigCommandRunner, ConfigFlags, DEFAULT_TIMEOUT_MS } from '../common/hub-command';
import { ShutdownSignals } from '../common/shutdown-signals';
import { CLI_CONFIG_FILE, CliConfigFile, loadCliSettings, ownCliUuid } from '../config/cli-settings';

import { ReplRunner } from '../repl/repl-runner';
import { Programs } from '../common/programs';
import { announceDemo, demoDirOf } from './running-demo';

export { DEMO_DIR } from './running-demo';

export interface DemoFlags extends ConfigFlags {
  port?: number;
  /** Serve this network too, over HTTPS, and print a QR code that opens the page on a phone, logged in. */
  lan?: boolean;
  /** Also print Nest's own start-up lines (modules loaded, routes mapped, gateways). */
  verbose?: boolean;
}

export const DEFAULT_DEMO_PORT = 5000;
/** How long the demo waits for its own agent to reach its own hub, ms. */
const AGENT_CONNECT_TIMEOUT_MS = 20_000;
/** How often the demo looks at its hub's health while waiting for its neck, ms. */
const HEALTH_POLL_MS = 50;

/** The hub and the agent of a running demo. */
interface DemoStack {
  readonly hub: RunningHub;
  readonly agent: NeckAgent;
  /** With --lan: the address the hub binds (every interface) and its certificate authority's file. */
  readonly lan?: { readonly host: string; readonly caPath: string };
  stop(): Promise<void>;
}

/**
 * `neck demo` (what `npm start` runs): a hub on 127.0.0.1 without a tunnel and an agent on the virtual neck,
 * both in this process. At a terminal the REPL runs in the foreground; without one the demo serves until
 * SIGINT/SIGTERM. The password is made up on the first run and kept in <config dir>/demo/.env. With --lan the
 * hub serves every interface over HTTPS (its certificate kept in the demo's dir) and a QR code opens the page on
 * a phone, logged in.
 */
@Command({
  name: 'demo',
  description:
    'try it all on this machine: a hub on 127.0.0.1 (no tunnel) and an agent on a virtual neck, with the REPL at a terminal (npm start runs this)',
})
export class DemoCommand extends ConfigCommandRunner {
  constructor(
    private readonly output: CliOutput,
    private readonly context: CliContext,
    private readonly programs: Programs,
    private readonly shutdown: ShutdownSignals,
    private readonly repl: ReplRunner,
  ) {
    super();
  }

  @Option({
    flags: '--port <n>',
    description: `port of the demo hub on 127.0.0.1 (default ${DEFAULT_DEMO_PORT}; 0 picks a free one)`,
  })
  parsePort(value: string): number {
    return portOption(value);
  }

  @Option({
    flags: '--lan',
    description:
      'serve this network too, over HTTPS with a certificate the demo makes (phones give their tilt sensors to ' +
      'secure pages only), and print a QR code that opens the web page on a phone, logged in',
  })
  parseLan(): boolean {
    return true;
  }

  @Option({
    flags: '--verbose',
    description: 'also print Nest’s own start-up lines (modules loaded, routes mapped, gateways)',
  })
  parseVerbose(): boolean {
    return true;
  }

  async run(_args: string[], flags: DemoFlags = {}): Promise<void> {
    await reportFailures(this.output, async () => {
      const interactive = this.context.interactive;
      const configDir = resolveConfigDir(flags.configDir, this.context.env);
      const demoDir = demoDirOf(configDir);
      const password = this.demoPassword(demoDir);
      const signals = this.shutdown.wait();
      try {
        const stack = await this.start(demoDir, password, flags.port ?? DEFAULT_DEMO_PORT, {
          interactive,
          verbose: flags.verbose === true,
          lan: flags.lan === true,
        });
        const withdraw = announceDemo(demoDir, stack.hub.url, stack.lan?.caPath);
        try {
          this.describe(stack, demoDir, password, configDir);
          if (interactive) {
            updateConfigFile(join(demoDir, CLI_CONFIG_FILE), { server_url: stack.hub.url });
            const settings = await loadCliSettings(
              {
                configDir: demoDir,
                uuid: ownCliUuid(configDir),
                ...(stack.lan ? { hubCa: stack.lan.caPath } : {}),
              },
              { env: { PEER_SHARED_SECRET: password }, say: () => undefined },
            );
            await this.repl.run(settings, {
              ackTimeoutMs: DEFAULT_TIMEOUT_MS,
              interactive: true,
              until: signals.received,
            });
          } else {
            this.output.line('serving until Ctrl-C (SIGINT) or SIGTERM');
            const signal = await signals.received;
            this.output.line(`${signal}: stopping the demo…`);
          }
        } finally {
          withdraw();
          await stack.stop();
        }
        this.output.line('demo stopped');
      } finally {
        signals.dispose();
      }
    });
  }

  /** The demo's password: the one kept in demo/.env, or a new one saved there. */
  private demoPassword(demoDir: string): string {
    const envPath = envFilePath(demoDir);
    const saved = envValue('PEER_SHARED_SECRET', {}, readEnvFile(envPath));
    if (saved !== undefined) return saved;
    const password = randomPassword();
    updateEnvFile(envPath, { PEER_SHARED_SECRET: password });
    return password;
  }

  private async start(
    demoDir: string,
    password: string,
    port: number,
    { interactive, verbose, lan }: { interactive: boolean; verbose: boolean; lan: boolean },
  ): Promise<DemoStack> {
    // Only the demo's own files count: a PEER_SHARED_SECRET or JWT_SECRET in the environment is a real hub's.
    const env = { PEER_SHARED_SECRET: password };
    const quiet = { say: () => undefined };
    const host = lan ? '0.0.0.0' : '127.0.0.1';
    const hubSettings = await this.programs.hub.loadHubSettings(
      { tunnel: false, host, port, cors: '*', configDir: demoDir, https: lan },
      { env: {}, ...quiet },
    );
    const https = hubSettings.https;
    // At a terminal the REPL shows what matters; the hub's and agent's logs would only scroll it away.
    const logger: LogLevel[] = interactive ? ['error'] : ['log', 'warn', 'error'];
    let hub: RunningHub;
    try {
      hub = await this.programs.hub.startHub(hubSettings, { logger, nestLogs: verbose });
    } catch (error) {
      if (hasCode(error, 'EADDRINUSE')) {
        throw new CommandFailure(
          `port ${port} on ${host} is taken (is a hub or another demo running?); pass --port N, or --port 0 for a free one`,
          ExitCode.Failed,
        );
      }
      throw error;
    }
    let agent: NeckAgent | undefined;
    const stop = async () => {
      await agent?.stop();
      await hub.close();
    };
    try {
      // The demo's own agent trusts the demo hub's certificate authority.
      const agentSettings = await this.programs.agent.loadAgentSettings(
        { serverUrl: hub.url, simulate: true, configDir: demoDir, ...(https ? { hubCa: https.caPath } : {}) },
        { env, ...quiet },
      );
      agent = new this.programs.agent.NeckAgent(agentSettings);
      agent.start();
      await withTimeout(
        agent.client.connect(),
        AGENT_CONNECT_TIMEOUT_MS,
        `the demo's agent did not reach the demo's hub within ${formatSeconds(AGENT_CONNECT_TIMEOUT_MS)}`,
      );
      const read = https ? hubTrust(https.ca).fetch : fetch;
      await neckOnHub(hub.url, agentSettings.uuid, AGENT_CONNECT_TIMEOUT_MS, read);
      return { hub, agent, stop, ...(https ? { lan: { host, caPath: https.caPath } } : {}) };
    } catch (error) {
      await stop();
      throw error;
    }
  }

  private describe(stack: DemoStack, demoDir: string, password: string, configDir: string): void {
    const { url } = stack.hub;
    const { lan } = stack;
    this.output.line(
      lan
        ? 'neck-signal demo: a hub and a virtual neck on this machine, served to this network over HTTPS (no tunnel)'
        : 'neck-signal demo: a hub and a virtual neck on this machine, local only (no tunnel)',
    );
    this.output.line(`demo hub: ${url}`);
    this.output.line(`demo web page: ${url}${HubPaths.WebPage}`);
    this.output.line(`demo password: ${password} (kept in ${envFilePath(demoDir)}; the same on every run)`);
    this.output.line(`demo neck: a virtual neck driven by agent ${stack.agent.client.uuid ?? '?'}`);
    this.output.line(this.otherTerminals(url, configDir));
    if (lan) this.describeLan(url, lan, password);
  }

  /**
   * How `neck` in another terminal reaches this demo: by itself (it finds demo/running.json), unless a hub was
   * chosen (NECK_HUB_URL, cli.json), which wins: then the demo says so, and how to reach the demo instead.
   */
  private otherTerminals(url: string, configDir: string): string {
    const chosen = new FirstRun(configDir, { env: this.context.env, say: () => undefined }, { otherwise: '' });
    const saved = readConfigFile(join(configDir, CLI_CONFIG_FILE), CliConfigFile)?.value.server_url;
    const hub = chosen.knownHubUrl() ?? saved;
    if (hub === undefined) {
      return 'from another terminal, in this checkout: npx neck send X10,Y5 (or status, stats, peers, repl): they find this demo';
    }
    const where = chosen.knownHubUrl() === undefined ? join(configDir, CLI_CONFIG_FILE) : 'NECK_HUB_URL';
    return `from another terminal, neck commands go to ${hub} (${where}); for this demo add -s ${url}`;
  }

  /** With --lan: where a phone finds the page, as a QR code that also logs it in, and what other machines trust. */
  private describeLan(url: string, lan: NonNullable<DemoStack['lan']>, password: string): void {
    const addresses = lanAddresses();
    this.output.line(`other machines trust the demo's certificate authority: a copy of ${lan.caPath} in NECK_HUB_CA`);
    if (addresses.length === 0) {
      this.output.line('no network address found on this machine: phones cannot reach it (is it on a network?)');
      return;
    }
    const page = lanUrl(`${url}${HubPaths.WebPage}`, lan.host, addresses);
    this.output.line(
      `on a phone on this network, scan this to open ${page} and log in; the phone warns that the certificate ` +
        'is not trusted (the demo made it): accept it once',
    );
    this.output.line(terminalQrCode(pageLoginUrl(page, password)));
  }
}

function hasCode(error: unknown, code: string): boolean {
  return typeof error === 'object' && error !== null && 'code' in error && error.code === code;
}

/**
 * Resolves once the hub's health lists the neck with its serial port open, so that everything said after
 * "serving" (neck status, the REPL's READY) already shows it. The hub learns it from the agent's first
 * neck_status, which can trail the agent's connection a little.
 */
async function neckOnHub(url: string, uuid: string, timeoutMs: number, read: typeof fetch): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const response = await read(`${url}${HubPaths.Health}`, { headers: { accept: 'application/json' } });
    const health: unknown = await response.json();
    if (neckIsOpen(health, uuid)) return;
    if (performance.now() > deadline) {
      throw new Error(`the demo's virtual neck did not show on the demo's hub within ${formatSeconds(timeoutMs)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, HEALTH_POLL_MS));
  }
}

function neckIsOpen(body: unknown, uuid: string): boolean {
  const health = validatePayload(HubHealthDto, body);
  return health.ok && health.value.necks.some((neck) => neck.uuid === uuid && neck.serial.state === 'open');
}

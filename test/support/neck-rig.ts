import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HubClient, type SendCommandOptions } from '@neck-signal/hub-client';
import { Events, type NeckAckDeliveryDto, type NeckStatusDeliveryDto } from '@neck-signal/protocol';
import {
  VirtualNeck,
  attachVirtualNeckToPath,
  type VirtualNeckAttachment,
  type VirtualNeckOptions,
} from '@neck-signal/virtual-neck';
import { Program } from './program';
import { PtyPair, type PtyPairOptions } from './pty';

/**
 * The agent on a real tty, for end-to-end specs: socat joins two PTYs, the virtual neck (as strict as the
 * ESP32: 256-byte UART, bytes at the wire's rate, a reset when the agent opens the port) sits on one end in this
 * process, the hub(s) and the agent run as the built programs, and HubClients are the operators. Everything
 * started is closed by `closeRig()` (call it from afterEach).
 */

export const PASSWORD = 'neck rig e2e password';
export const AGENT_UUID = 'e2e-neck';
/** HOME_BRUTE takes ~50 ms instead of ~5 s, in the tests that are not about homing. */
export const HOMING_SCALE = 0.01;
export const WAIT_MS = 15_000;
/** A boot banner line long enough to keep the agent reading for a while. */
export const LONG_LINE = '#'.repeat(16 * 1024);

/** A virtual neck that also keeps every byte it was sent, and says when lines arrive (after the wire). */
export class WireNeck extends VirtualNeck {
  private readonly chunks: Buffer[] = [];
  private readonly watchers = new Set<() => void>();

  constructor(options: VirtualNeckOptions) {
    super(options);
    this.onReceived(() => {
      for (const watcher of [...this.watchers]) watcher();
    });
  }

  override receive(data: string | Uint8Array): void {
    this.chunks.push(typeof data === 'string' ? Buffer.from(data, 'utf8') : Buffer.from(data));
    super.receive(data);
  }

  /** Every byte received, in order, as latin1 text. */
  get wire(): string {
    return Buffer.concat(this.chunks).toString('latin1');
  }

  /** Resolves with `received` once it holds at least `count` lines. */
  untilReceived(count: number, timeoutMs = WAIT_MS): Promise<readonly string[]> {
    return within(
      timeoutMs,
      () => `the virtual neck to receive ${count} lines; it has ${JSON.stringify(this.received)}`,
      (resolve) => {
        const check = () => {
          if (this.received.length >= count) resolve(this.received);
        };
        this.watchers.add(check);
        check();
        return () => this.watchers.delete(check);
      },
    );
  }

  /**
   * Resolves once the neck has received `line` (an ack `written` can come a little before the bytes, which
   * still cross the PTY and socat).
   */
  untilLine(line: string, timeoutMs = WAIT_MS): Promise<void> {
    return within(
      timeoutMs,
      () => `the virtual neck to receive ${line}; it has ${JSON.stringify(this.received.slice(-5))}`,
      (resolve) => {
        const check = () => {
          if (this.received.includes(line)) resolve(undefined);
        };
        this.watchers.add(check);
        check();
        return () => this.watchers.delete(check);
      },
    );
  }
}

/** The bytes the agent writes for these lines. */
export const bytesOf = (lines: readonly string[]) => lines.map((line) => `${line}\n`).join('');
export const count = (lines: readonly string[], wanted: string) => lines.filter((line) => line === wanted).length;
export const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Resolves when `start` calls back, rejects after timeoutMs; `start` returns its own unsubscribe. */
export function within<T>(
  timeoutMs: number,
  what: () => string,
  start: (resolve: (value: T) => void) => () => void,
): Promise<T> {
  return new Promise((resolve, reject) => {
    let done = false;
    const timer = setTimeout(() => {
      done = true;
      stop();
      reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what()}`));
    }, timeoutMs);
    const stop = start((value) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      // `start` may call back before it has returned `stop`.
      queueMicrotask(() => stop());
      resolve(value);
    });
  });
}

/** `promise`, or a rejection naming `what` after timeoutMs. */
export async function bounded<T>(promise: Promise<T>, what: string, timeoutMs = WAIT_MS): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)), timeoutMs);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** The next neck_status the UI receives that `accept`s, with the moment it arrived (performance.now()). */
export function nextStatus(
  ui: HubClient,
  accept: (status: NeckStatusDeliveryDto) => boolean,
  timeoutMs = WAIT_MS,
): Promise<{ status: NeckStatusDeliveryDto; at: number }> {
  return within(
    timeoutMs,
    () => 'a matching neck_status',
    (resolve) =>
      ui.on(Events.NeckStatus, (status) => {
        if (accept(status)) resolve({ status, at: performance.now() });
      }),
  );
}

/** Resolves once the UI has received `n` neck_output lines matching `pattern`. */
export function nthNeckOutput(ui: HubClient, pattern: RegExp, n: number, timeoutMs = WAIT_MS): Promise<void> {
  let seen = 0;
  return within(
    timeoutMs,
    () => `${n} neck_output lines matching ${pattern}, got ${seen}`,
    (resolve) =>
      ui.on(Events.NeckOutput, ({ line }) => {
        if (pattern.test(line) && ++seen >= n) resolve();
      }),
  );
}

/** Resolves once the program has printed at least `n` lines matching `pattern` (no `g` flag). */
export function nthOutput(program: Program, pattern: RegExp, n: number, timeoutMs = WAIT_MS): Promise<void> {
  const matching = () => program.output.filter((line) => pattern.test(line)).length;
  return within(
    timeoutMs,
    () => `${n} lines matching ${pattern}, got ${matching()}:\n${program.output.join('\n')}`,
    (resolve) => {
      // Program's own listener was added first, so `output` is current when these run.
      const check = () => {
        if (matching() >= n) resolve();
      };
      program.child.stdout?.on('data', check);
      program.child.stderr?.on('data', check);
      check();
      return () => {
        program.child.stdout?.off('data', check);
        program.child.stderr?.off('data', check);
      };
    },
  );
}

export interface Rig {
  /** Every hub: the first, and a second one when `redisUrl` was given. */
  hubs: { hub: Program; port: number }[];
  /** Another operator (role ui) on hub `hubIndex`, connected; closed with the rig. */
  operator(uuid: string, hubIndex?: number): Promise<HubClient>;
  dir: string;
  hubConfigDir: string;
  pty: PtyPair;
  neck: WireNeck;
  attachment: VirtualNeckAttachment;
  hub: Program;
  hubPort: number;
  agent: Program;
  ui: HubClient;
  /**
   * What the neck received while the agent started: its HEALTH probe (a board that resets as its port opens
   * homes by itself, and that is the opening's HOME); on a board that does not reset, HOME and its HEALTH fence too.
   */
  startup: readonly string[];
}

export interface RigOptions {
  /** More agent.json keys, e.g. {control_lease_ms: 500}. */
  agentConfig?: Record<string, unknown>;
  /** Start a second hub sharing this Redis with the first (the agent and `ui` are on the first). */
  redisUrl?: string;
  /** The virtual neck's options; default the ESP32's, homing at HOMING_SCALE. */
  neck?: VirtualNeckOptions;
  /** Resolve once the neck reads after the opening's HOME (default), or as soon as the agent runs. */
  waitReady?: boolean;
  /**
   * Whether the board resets when the agent opens its port, as a DevKit does (default); false: it boots and homes
   * before the agent starts, and keeps running.
   */
  resetOnOpen?: boolean;
}

/** Closers of everything started, run last-first by afterEach. */
let cleanups: (() => Promise<void> | void)[] = [];
export const track = (close: () => Promise<void> | void) => cleanups.push(close);

/** Closes everything the rig started, last first; rethrows the first failure. */
export async function closeRig(): Promise<void> {
  const closers = cleanups.reverse();
  cleanups = [];
  const failures: unknown[] = [];
  for (const close of closers) {
    try {
      await close();
    } catch (error) {
      failures.push(error);
    }
  }
  if (failures.length > 0) throw failures[0];
}

/** Hubs sharing Redis must share the JWT secret too. */
const JWT_SECRET = 'neck-rig-e2e-jwt-secret-0123456789abcdef0123456789';

export async function startHub(
  configDir: string,
  port = 0,
  extraArgs: readonly string[] = [],
): Promise<{ hub: Program; port: number }> {
  const hub = Program.start('hub', ['--port', String(port), '--host', '127.0.0.1', '--no-tunnel', ...extraArgs], {
    NECK_CONFIG_DIR: configDir,
    PEER_SHARED_SECRET: PASSWORD,
    JWT_SECRET,
  });
  track(() => hub.kill());
  const [, url] = await hub.waitFor(/listening on (http:\/\/\S+)/);
  return { hub, port: Number(new URL(url).port) };
}

export async function attachNeck(
  path: string,
  options: VirtualNeckOptions = {},
): Promise<{ neck: WireNeck; attachment: VirtualNeckAttachment }> {
  const neck = new WireNeck(options);
  const attachment = await bounded(attachVirtualNeckToPath(path, { neck }), `the virtual neck to open ${path}`);
  track(() => attachment.close());
  return { neck, attachment };
}

export async function startPty(dir: string, options: Omit<PtyPairOptions, 'dir'> = {}): Promise<PtyPair> {
  const pty = await PtyPair.create({ ...options, dir });
  track(() => pty.close());
  return pty;
}

/**
 * socat, the virtual neck, the hub, a UI peer and the agent. The neck resets when the agent opens its end, as a
 * DevKit does. Resolves once the neck reads after the agent's HOME (unless `waitReady` is false).
 */
export async function startRig(options: RigOptions = {}): Promise<Rig> {
  const dir = mkdtempSync(join(tmpdir(), 'neck-agent-serial-'));
  track(() => rmSync(dir, { recursive: true, force: true }));
  const hubConfigDir = join(dir, 'hub-config');
  const agentConfigDir = join(dir, 'agent-config');
  mkdirSync(hubConfigDir);
  mkdirSync(agentConfigDir);
  writeFileSync(
    join(agentConfigDir, 'agent.json'),
    JSON.stringify({
      serial_retry_ms: 100,
      login_retry_ms: 100,
      status_interval_ms: 30_000,
      ...options.agentConfig,
    }),
  );

  const pty = await startPty(dir);
  const { neck, attachment } = await attachNeck(pty.neckPath, options.neck ?? { homingScale: HOMING_SCALE });
  // A board that keeps running: it has booted and homed before the agent opens its port.
  if (options.resetOnOpen === false) await bounded(neck.idle(), 'the virtual neck to boot and home');
  const redis = options.redisUrl === undefined ? [] : ['--redis', options.redisUrl];
  const hubs = [await startHub(hubConfigDir, 0, redis)];
  if (options.redisUrl !== undefined) {
    const second = join(dir, 'hub-config-2');
    mkdirSync(second);
    hubs.push(await startHub(second, 0, redis));
  }
  const { hub, port } = hubs[0];
  const operator = async (uuid: string, hubIndex = 0): Promise<HubClient> => {
    const client = new HubClient({
      url: `http://127.0.0.1:${hubs[hubIndex].port}`,
      password: PASSWORD,
      uuid,
      role: 'ui',
      retryIntervalMs: 100,
      reconnectionDelayMs: 100,
      reconnectionDelayMaxMs: 500,
      ackTimeoutMs: 20_000,
    });
    track(() => client.close());
    await client.connect();
    return client;
  };
  const ui = await operator('e2e-ui');

  const ready = nextStatus(
    ui,
    (status) => status.firmware.state === 'ready' && status.pose !== null && status.health !== null,
    30_000,
  );
  const agent = Program.start(
    'neck-agent',
    ['-s', `http://127.0.0.1:${port}`, '-u', AGENT_UUID, '--serial', pty.agentPath],
    { NECK_CONFIG_DIR: agentConfigDir, PEER_SHARED_SECRET: PASSWORD },
  );
  track(() => agent.kill());
  await pty.connected();
  if (options.resetOnOpen ?? true) neck.reset();
  if (options.waitReady === false) {
    ready.catch(() => undefined);
    return { dir, hubConfigDir, pty, neck, attachment, hub, hubPort: port, hubs, operator, agent, ui, startup: [] };
  }
  const { status } = await ready;
  expect(status).toMatchObject({ uuid: AGENT_UUID, serial: { state: 'open', path: pty.agentPath, baud: 115_200 } });
  expect(status.health).toMatchObject({ device: 'NECK' });
  const startup = await neck.untilReceived((options.resetOnOpen ?? true) ? 1 : 3);
  return { dir, hubConfigDir, pty, neck, attachment, hub, hubPort: port, hubs, operator, agent, ui, startup };
}

/** Sends a command and expects a `written` ack carrying exactly `line`. */
export async function expectWritten(
  rig: Pick<Rig, 'ui'>,
  text: string,
  line: string,
  via: SendCommandOptions['via'] = 'neck_command',
): Promise<NeckAckDeliveryDto> {
  const { ack } = await rig.ui.sendCommand(text, { via });
  expect({ text, ack }).toEqual({
    text,
    ack: {
      command: line,
      status: 'written',
      peerId: expect.any(String),
      id: expect.any(String),
      timeline: expect.objectContaining({ agentMs: expect.any(Number), wireMs: expect.any(Number) }),
    },
  });
  return ack;
}

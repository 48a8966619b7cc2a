import { Logger } from '@nestjs/common';
import { TestingModule } from '@nestjs/testing';
import { CommanderError } from 'commander';
import { CommandTestFactory } from 'nest-commander-testing';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { DEFAULT_VIRTUAL_NECK_PATH, VirtualNeck, createVirtualNeckBinding } from '@neck-signal/virtual-neck';
import { CliModule } from '../src/cli.module';
import { CliOutput } from '../src/common/cli-output';
import { CliAsker } from '../src/common/cli-asker';
import { CliContext } from '../src/common/cli-context';
import { ShutdownSignals, SignalWait } from '../src/common/shutdown-signals';
import {
  DEFAULT_FIRMWARE_TIMING,
  DEFAULT_LEASE_MS,
  DEFAULT_STALE_AFTER_MS,
  NeckAgent,
  systemDiscoveryEnvironment,
  type AgentSettings,
} from '@neck-signal/agent';
import { TEST_PASSWORD } from '../../../test/support/hub';

/** Everything a command printed, in order, with the exit code it set. */
export class RecordingOutput extends CliOutput {
  readonly lines: string[] = [];
  readonly errors: string[] = [];
  /** stdout and stderr interleaved, stderr lines marked `!`. */
  readonly transcript: string[] = [];
  code = 0;
  private waiters: { pattern: RegExp; resolve: (line: string) => void }[] = [];

  override line(text: string): void {
    this.lines.push(text);
    this.record(text);
  }

  override error(text: string): void {
    this.errors.push(text);
    this.record(`! ${text}`);
  }

  override exitCode(code: number): void {
    this.code = code;
  }

  text(): string {
    return this.transcript.join('\n');
  }

  /** The first line (printed or to come) matching the pattern. */
  waitFor(pattern: RegExp, timeoutMs = 15_000): Promise<string> {
    const past = this.transcript.find((line) => pattern.test(line));
    if (past !== undefined) return Promise.resolve(past);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no line matching ${pattern} within ${timeoutMs} ms:\n${this.text()}`)),
        timeoutMs,
      );
      this.waiters.push({
        pattern,
        resolve: (line) => {
          clearTimeout(timer);
          resolve(line);
        },
      });
    });
  }

  private record(text: string): void {
    this.transcript.push(text);
    this.waiters = this.waiters.filter((waiter) => {
      if (!waiter.pattern.test(text)) return true;
      waiter.resolve(text);
      return false;
    });
  }
}

/** Answers the questions in order, and remembers what was asked. */
export class ScriptedAsker extends CliAsker {
  readonly asked: string[] = [];

  constructor(private readonly answers: string[] = []) {
    super();
  }

  override text(message: string, fallback?: string): Promise<string> {
    this.asked.push(message);
    const answer = this.answers.shift() ?? '';
    return Promise.resolve(answer === '' && fallback !== undefined ? fallback : answer);
  }

  override secret(message: string): Promise<string> {
    this.asked.push(message);
    return Promise.resolve(this.answers.shift() ?? '');
  }
}

/** The world a command sees: a chosen environment, stdin and stdout as pipes, a terminal or not. */
export class TestContext extends CliContext {
  override readonly stdin = new PassThrough();
  override readonly stdout = new PassThrough();
  readonly written: string[] = [];

  constructor(
    override readonly env: NodeJS.ProcessEnv,
    private readonly terminal = false,
  ) {
    super();
    this.stdout.on('data', (chunk: Buffer) => this.written.push(chunk.toString('utf8')));
  }

  override get interactive(): boolean {
    return this.terminal;
  }

  /** Resolves once the text has been written to stdout (prompts, readline's echo). */
  waitForWritten(text: string, timeoutMs = 5_000): Promise<void> {
    if (this.written.join('').includes(text)) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.stdout.off('data', check);
        reject(new Error(`${JSON.stringify(text)} was not written within ${timeoutMs} ms:\n${this.written.join('')}`));
      }, timeoutMs);
      const check = () => {
        if (!this.written.join('').includes(text)) return;
        clearTimeout(timer);
        this.stdout.off('data', check);
        resolve();
      };
      this.stdout.on('data', check);
    });
  }

  /** Types a line as a person would at a terminal (Enter sends \r). */
  type(line: string): void {
    this.stdin.write(`${line}${this.terminal ? '\r' : '\n'}`);
  }
}

/** SIGINT/SIGTERM on demand. */
export class ManualShutdown extends ShutdownSignals {
  private fire: ((signal: NodeJS.Signals) => void) | undefined;
  private readonly received = new Promise<NodeJS.Signals>((resolve) => (this.fire = resolve));

  override wait(): SignalWait {
    return { received: this.received, dispose: () => undefined };
  }

  trigger(signal: NodeJS.Signals = 'SIGTERM'): void {
    this.fire?.(signal);
  }
}

export interface CliRun {
  readonly output: RecordingOutput;
  /** Resolves once the command has finished (and the module is closed). */
  readonly done: Promise<void>;
}

export interface CliOverrides {
  context: TestContext;
  asker?: ScriptedAsker;
  shutdown?: ShutdownSignals;
}

/**
 * Runs `neck ARGS…` in this process with CommandTestFactory, output recorded and the world replaced. Usage
 * errors set code 2 instead of ending the process.
 */
export async function startCli(args: string[], overrides: CliOverrides): Promise<CliRun> {
  const output = new RecordingOutput();
  const module: TestingModule = await CommandTestFactory.createTestingCommand(
    { imports: [CliModule] },
    {
      errorHandler: (error) => {
        output.exitCode(error instanceof CommanderError && error.exitCode === 0 ? 0 : 2);
        throw error;
      },
      outputConfiguration: {
        writeOut: (text) => output.line(text.trimEnd()),
        writeErr: (text) => output.error(text.trimEnd()),
      },
      serviceErrorHandler: (error) => {
        if (error instanceof CommanderError) {
          output.exitCode(error.exitCode === 0 ? 0 : 2);
          return;
        }
        if (output.code === 0) {
          output.error(`unexpected: ${error.message}`);
          output.exitCode(1);
        }
      },
    },
  )
    .overrideProvider(CliOutput)
    .useValue(output)
    .overrideProvider(CliContext)
    .useValue(overrides.context)
    .overrideProvider(CliAsker)
    .useValue(overrides.asker ?? new ScriptedAsker())
    .overrideProvider(ShutdownSignals)
    .useValue(overrides.shutdown ?? new ManualShutdown())
    .compile();
  return { output, done: CommandTestFactory.run(module, args) };
}

/** Runs `neck ARGS…` to the end; resolves with what it printed and its exit code. */
export async function runCli(args: string[], overrides: CliOverrides): Promise<RecordingOutput> {
  const run = await startCli(args, overrides);
  await run.done;
  return run.output;
}

/** A temporary directory, removed by the function returned with it. */
export function tempDir(prefix: string): { path: string; remove: () => void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/** A neck-agent in this process and the virtual neck it drives. */
export interface SimulatedNeck {
  readonly agent: NeckAgent;
  readonly neck: VirtualNeck;
  stop(): Promise<void>;
}

/** The virtual neck boots in 300 ms like an ESP32; the agent waits a little longer than that, not its usual 1 s. */
const FAST_BOOT_QUIET_MS = 400;

/**
 * A neck-agent in this process on a virtual neck that homes at once (the firmware takes ~5 s) but is otherwise
 * as strict as the firmware, connected to the hub at `url` as `test-neck`.
 */
export async function startSimulatedNeck(
  url: string,
  configDir: string,
  overrides: Partial<AgentSettings> = {},
): Promise<SimulatedNeck> {
  const binding = createVirtualNeckBinding();
  const neck = binding.createPort(DEFAULT_VIRTUAL_NECK_PATH, { homingScale: 0 });
  const agent = new NeckAgent(
    {
      configDir,
      serverUrl: url,
      password: TEST_PASSWORD,
      uuid: 'test-neck',
      serial: {
        path: DEFAULT_VIRTUAL_NECK_PATH,
        simulate: false,
        baudRate: 115_200,
        candidates: [],
        retryMs: 100,
        probeTimeoutMs: 2_000,
        bootQuietMs: FAST_BOOT_QUIET_MS,
      },
      limits: {},
      firmware: { ...DEFAULT_FIRMWARE_TIMING, bootQuietMs: FAST_BOOT_QUIET_MS },
      leaseMs: DEFAULT_LEASE_MS,
      staleAfterMs: DEFAULT_STALE_AFTER_MS,
      statusIntervalMs: 10_000,
      loginRetryMs: 200,
      ...overrides,
    },
    { discovery: systemDiscoveryEnvironment(binding, () => undefined) },
  );
  const ready = new Promise<void>((resolve) => {
    const stop = agent.relay.onStatus((status) => {
      // Ready after its HOME: the pose is known from then on.
      if (status.firmware.state !== 'ready' || status.pose === null) return;
      stop();
      resolve();
    });
  });
  agent.start();
  await agent.client.connect();
  // The CLI's tests are not about the boot: they start once the neck reads.
  await ready;
  return { agent, neck, stop: () => agent.stop() };
}

/** Nest's logs of in-process hubs and agents would bury the test output. */
export function quietNestLogs(): void {
  Logger.overrideLogger(['error']);
}

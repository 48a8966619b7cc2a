import { Command } from 'nest-commander';
import { join } from 'node:path';
import {
  asConfigError,
  ConfigError,
  randomPassword,
  randomUuid,
  readEnvFile,
  readJsonFile,
  resolveConfigDir,
  updateEnvFile,
  writeJsonFile,
} from '@neck-signal/program-kit';
import { CliOutput } from '../cli-output';
import { CliAsker } from '../common/cli-asker';
import { CliContext } from '../common/cli-context';
import { CommandFailure, ExitCode, reportFailures } from '../common/command-failure';
import { ConfigCommandRunner, ConfigFlags } from '../common/hub-command';
import {
  CLI_CONFIG_FILE,
  ENV_FILE,
  LOCAL_HUB_URL,
  checkHubUrl,
  checkUuid,
  readCliConfig,
  saveCliConfig,
} from '../config/cli-settings';
import { Programs } from '../common/programs';

export const SETUP_PROGRAMS = ['hub', 'agent', 'cli'] as const;
export type SetupProgram = (typeof SETUP_PROGRAMS)[number];

/**
 * `neck setup hub|agent|cli`: asks a program's first-run questions again, offering the saved answers, and
 * saves them where that program reads them (hub.json, agent.json or cli.json, and .env for the password).
 */
@Command({
  name: 'setup',
  arguments: '<program>',
  description: 'ask the first-run questions of the hub, the agent or this cli again and save the answers',
  argsDescription: { program: 'hub (hub.json), agent (agent.json) or cli (cli.json); the password goes to .env' },
})
export class SetupCommand extends ConfigCommandRunner {
  constructor(
    private readonly output: CliOutput,
    private readonly context: CliContext,
    private readonly asker: CliAsker,
    private readonly programs: Programs,
  ) {
    super();
  }

  async run([program]: string[], flags: ConfigFlags = {}): Promise<void> {
    await reportFailures(this.output, async () => {
      if (!isSetupProgram(program)) {
        throw new CommandFailure(`neck setup ${program}: choose hub, agent or cli`, ExitCode.Usage);
      }
      const configDir = resolveConfigDir(flags.configDir, this.context.env);
      if (!this.context.interactive) {
        throw new ConfigError(
          `neck setup asks questions and needs a terminal. Without one, set PEER_SHARED_SECRET (the shared password) ` +
            `in the environment or in ${join(configDir, ENV_FILE)}, and edit ${join(configDir, this.fileOf(program))}`,
        );
      }
      if (program === 'hub') await this.setupHub(configDir);
      else if (program === 'agent') await this.setupAgent(configDir);
      else await this.setupCli(configDir);
      if (this.context.env.PEER_SHARED_SECRET) {
        this.output.line('note: PEER_SHARED_SECRET is set in the environment, and wins over .env');
      }
    });
  }

  private fileOf(program: SetupProgram): string {
    if (program === 'hub') return this.programs.hub.HUB_CONFIG_FILE;
    if (program === 'agent') return this.programs.agent.AGENT_CONFIG_FILE;
    return CLI_CONFIG_FILE;
  }

  /** The hub's questions (CORS origins, tunnel subdomain, shared password), as neck-hub asks them. */
  private async setupHub(configDir: string): Promise<void> {
    const { HUB_CONFIG_FILE, validateHubConfigFile } = this.programs.hub;
    const path = join(configDir, HUB_CONFIG_FILE);
    const raw = asConfigError(() => readJsonFile(path) ?? {});
    const current = asConfigError(() => validateHubConfigFile(path, raw));
    const cors = (
      await this.asker.text('CORS origins (* or comma-separated URLs)', current.cors_origins ?? '*')
    ).trim();
    const subdomain = (
      await this.asker.text(
        current.subdomain
          ? 'LocalTunnel subdomain (- for a random one)'
          : 'LocalTunnel subdomain (blank for a random one)',
        current.subdomain ?? '',
      )
    ).trim();
    const password = await this.askPassword(configDir, 'hub');
    const next: Record<string, unknown> = { ...raw, cors_origins: cors === '' ? '*' : cors };
    if (subdomain === '' || subdomain === '-') delete next.subdomain;
    else next.subdomain = subdomain;
    asConfigError(() => writeJsonFile(path, next));
    this.output.line(`saved ${path}`);
    this.savePassword(configDir, password);
  }

  /** The agent's questions (shared password, hub URL, uuid), as neck-agent asks them. */
  private async setupAgent(configDir: string): Promise<void> {
    const { AGENT_CONFIG_FILE, validateAgentConfigFile } = this.programs.agent;
    const path = join(configDir, AGENT_CONFIG_FILE);
    const raw = asConfigError(() => readJsonFile(path) ?? {});
    const current = asConfigError(() => validateAgentConfigFile(path, raw));
    const password = await this.askPassword(configDir, 'agent');
    const serverUrl = checkHubUrl(
      await this.asker.text(
        'Hub URL (printed by the hub, e.g. https://neck-signal.loca.lt)',
        current.server_url ?? this.context.env.NECK_HUB_URL ?? LOCAL_HUB_URL,
      ),
    );
    const uuid = await this.askUuid('UUID for this agent (blank for a random one)', current.uuid);
    asConfigError(() => writeJsonFile(path, { ...raw, server_url: serverUrl, uuid }));
    this.output.line(`saved ${path}`);
    this.savePassword(configDir, password);
  }

  /** The cli's questions (hub URL, shared password, uuid), as `neck repl` asks them on a first run. */
  private async setupCli(configDir: string): Promise<void> {
    const path = join(configDir, CLI_CONFIG_FILE);
    const current = readCliConfig(path);
    const serverUrl = checkHubUrl(
      await this.asker.text(
        'Hub URL (printed by the hub, e.g. https://neck-signal.loca.lt)',
        current.server_url ?? this.context.env.NECK_HUB_URL ?? LOCAL_HUB_URL,
      ),
    );
    const password = await this.askPassword(configDir, 'cli');
    const uuid = await this.askUuid('UUID for you (blank for a random one)', current.uuid);
    saveCliConfig(path, { server_url: serverUrl, uuid });
    this.output.line(`saved ${path}`);
    this.savePassword(configDir, password);
  }

  /** The new password, or undefined to keep the saved one. The hub makes one up when there is none. */
  private async askPassword(configDir: string, program: SetupProgram): Promise<string | undefined> {
    const saved = asConfigError(() => readEnvFile(join(configDir, ENV_FILE))).PEER_SHARED_SECRET;
    const hint = saved
      ? 'blank keeps the saved one'
      : program === 'hub'
        ? 'blank for a random one'
        : 'must match the hub';
    const answer = await this.asker.secret(`Shared password (${hint})`);
    if (answer !== '') return answer;
    if (saved) return undefined;
    if (program !== 'hub') throw new ConfigError('no shared password given; it must be the hub’s PEER_SHARED_SECRET');
    const made = randomPassword();
    this.output.line(`shared password: ${made}  (shown once; give it to the agent and the cli)`);
    return made;
  }

  private async askUuid(question: string, saved: string | undefined): Promise<string> {
    const answer = (await this.asker.text(question, saved ?? '')).trim();
    const uuid = answer === '' ? randomUuid() : answer;
    checkUuid(uuid);
    return uuid;
  }

  private savePassword(configDir: string, password: string | undefined): void {
    const path = join(configDir, ENV_FILE);
    if (password === undefined) {
      this.output.line(`kept the shared password in ${path}`);
      return;
    }
    asConfigError(() => updateEnvFile(path, { PEER_SHARED_SECRET: password }));
    this.output.line(`saved the shared password in ${path}`);
  }
}

function isSetupProgram(value: string | undefined): value is SetupProgram {
  return (SETUP_PROGRAMS as readonly (string | undefined)[]).includes(value);
}

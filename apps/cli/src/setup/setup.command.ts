import { Command } from 'nest-commander';
import { join } from 'node:path';
import {
  ConfigError,
  envFilePath,
  FirstRun,
  QUESTIONS,
  readConfigFile,
  resolveConfigDir,
  SharedPassword,
  updateConfigFile,
} from '@neck-signal/program-kit';
import { CliOutput } from '../common/cli-output';
import { CliAsker } from '../common/cli-asker';
import { CliContext } from '../common/cli-context';
import { CommandFailure, ExitCode, reportFailures } from '../common/command-failure';
import { ConfigCommandRunner, ConfigFlags } from '../common/hub-command';
import { Programs } from '../common/programs';
import { CLI_CONFIG_FILE, CliConfigFile } from '../config/cli-settings';

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
            `in the environment or in ${envFilePath(configDir)}, and edit ${join(configDir, this.fileOf(program))}`,
        );
      }
      // The same questions as each program's first run, every one asked again with the saved answer offered.
      const firstRun = new FirstRun(
        configDir,
        { env: this.context.env, asker: this.asker, say: (message) => this.output.line(message) },
        { otherwise: 'neck setup needs a terminal', again: true },
      );
      if (program === 'hub') await this.setupHub(firstRun);
      else if (program === 'agent') await this.setupAgent(firstRun);
      else await this.setupCli(firstRun);
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
  private async setupHub(firstRun: FirstRun): Promise<void> {
    const { HUB_CONFIG_FILE, HubConfigFile } = this.programs.hub;
    const path = join(firstRun.configDir, HUB_CONFIG_FILE);
    const current = readConfigFile(path, HubConfigFile)?.value ?? {};
    const cors = await firstRun.text(QUESTIONS.corsOrigins, current.cors_origins ?? '*');
    const subdomain = await firstRun.text(
      current.subdomain ? QUESTIONS.subdomainAgain : QUESTIONS.subdomain,
      current.subdomain ?? '',
    );
    const password = await firstRun.sharedPassword('hub');
    const random = subdomain === '' || subdomain === '-';
    updateConfigFile(path, { cors_origins: cors === '' ? '*' : cors, subdomain: random ? undefined : subdomain });
    this.output.line(`saved ${path}`);
    this.tellPassword(firstRun, password);
  }

  /** The agent's questions (shared password, hub URL, uuid), as neck-agent asks them. */
  private async setupAgent(firstRun: FirstRun): Promise<void> {
    const { AGENT_CONFIG_FILE, AgentConfigFile } = this.programs.agent;
    const path = join(firstRun.configDir, AGENT_CONFIG_FILE);
    const current = readConfigFile(path, AgentConfigFile)?.value ?? {};
    const password = await firstRun.sharedPassword('peer');
    const { url } = await firstRun.hubUrl(undefined, current.server_url);
    const { uuid } = await firstRun.uuid('agent', undefined, current.uuid);
    updateConfigFile(path, { server_url: url, uuid });
    this.output.line(`saved ${path}`);
    this.tellPassword(firstRun, password);
  }

  /** The cli's questions (hub URL, shared password, uuid), as `neck repl` asks them on a first run. */
  private async setupCli(firstRun: FirstRun): Promise<void> {
    const path = join(firstRun.configDir, CLI_CONFIG_FILE);
    const current = readConfigFile(path, CliConfigFile)?.value ?? {};
    const { url } = await firstRun.hubUrl(undefined, current.server_url);
    const password = await firstRun.sharedPassword('peer');
    const { uuid } = await firstRun.uuid('cli', undefined, current.uuid);
    updateConfigFile(path, { server_url: url, uuid });
    this.output.line(`saved ${path}`);
    this.tellPassword(firstRun, password);
  }

  private tellPassword(firstRun: FirstRun, password: SharedPassword): void {
    if (password.madeUp) {
      this.output.line(`shared password: ${password.password}  (shown once; give it to the agent and the cli)`);
    }
    this.output.line(
      password.saved
        ? `saved the shared password in ${firstRun.envPath}`
        : `kept the shared password in ${firstRun.envPath}`,
    );
  }
}

function isSetupProgram(value: string | undefined): value is SetupProgram {
  return (SETUP_PROGRAMS as readonly (string | undefined)[]).includes(value);
}

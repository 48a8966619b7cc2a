import { Injectable, OnApplicationBootstrap, OnModuleInit } from '@nestjs/common';
import { Command } from 'commander';
import { InjectCommander } from 'nest-commander';

const MORE_HELP = `
Start with \`neck demo\` (or \`npm start\`): a hub and a virtual neck on this machine, and the REPL.
Against a real hub: \`neck repl -s https://neck-signal.loca.lt\` asks for the shared password on its first run.

Environment:
  PEER_SHARED_SECRET  the hub's shared password (else .env in the config dir)
  NECK_HUB_URL        the hub URL when -s is not given (else cli.json in the config dir)
  NECK_CONFIG_DIR     the config dir when --config-dir is not given (default ~/.config/neck-signal)

Exit codes: 0 ok, 1 rejected or failed, 2 usage or configuration error, 3 nothing answered in time.
Run \`neck help COMMAND\` for a command's flags.`;

/** Commander names the program after the script file (main.js); users type `neck`. Also fixes usage errors' exit codes. */
@Injectable()
export class ProgramName implements OnModuleInit, OnApplicationBootstrap {
  constructor(@InjectCommander() private readonly program: Command) {}

  onModuleInit(): void {
    this.program
      .name('neck')
      .description('neck-signal command line: drive a robot neck through a hub.')
      .addHelpText('after', MORE_HELP);
  }

  /**
   * Subcommands added with addCommand() do not inherit the program's exitOverride, so commander would end the
   * process with 1 on their usage errors. Throwing instead hands the error to the serviceErrorHandler (main.ts),
   * which exits 2, or 0 after --help.
   */
  onApplicationBootstrap(): void {
    for (const command of this.program.commands) {
      command.exitOverride((error) => {
        throw error;
      });
    }
  }
}

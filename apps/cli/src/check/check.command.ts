import { Command, CommandRunner } from 'nest-commander';
import { parseNeckCommand } from '@neck-signal/protocol';
import { CliOutput } from '../common/cli-output';
import { ExitCode } from '../common/command-failure';

/** `neck check CMD…`: validates a command offline and prints the canonical firmware line. */
@Command({
  name: 'check',
  arguments: '<command...>',
  description: 'validate a neck command without sending it and print the firmware line it becomes',
})
export class CheckCommand extends CommandRunner {
  constructor(private readonly output: CliOutput) {
    super();
  }

  run(words: string[]): Promise<void> {
    const result = parseNeckCommand(words.join(' '));
    if (result.ok) {
      this.output.line(result.line);
    } else {
      this.output.error(result.error.message);
      this.output.exitCode(ExitCode.Rejected);
    }
    return Promise.resolve();
  }
}

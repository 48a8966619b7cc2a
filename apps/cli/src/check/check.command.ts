import { Command, CommandRunner } from 'nest-commander';
import { parseOperatorCommand } from '@neck-signal/protocol';
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
    const result = parseOperatorCommand(words.join(' '));
    if (result.ok) {
      this.output.line(
        result.kind === 'directive' ? `${result.line} (for the agent; never written to the firmware)` : result.line,
      );
    } else {
      this.output.error(result.error.message);
      this.output.exitCode(ExitCode.Rejected);
    }
    return Promise.resolve();
  }
}

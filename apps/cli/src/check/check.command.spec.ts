import { TestingModule } from '@nestjs/testing';
import { CommandTestFactory } from 'nest-commander-testing';
import { CliModule } from '../cli.module';
import { CliOutput } from '../common/cli-output';

class RecordingOutput extends CliOutput {
  readonly lines: string[] = [];
  readonly errors: string[] = [];
  code = 0;
  override line(text: string): void {
    this.lines.push(text);
  }
  override error(text: string): void {
    this.errors.push(text);
  }
  override exitCode(code: number): void {
    this.code = code;
  }
}

describe('neck check', () => {
  let command: TestingModule;
  let output: RecordingOutput;

  beforeEach(async () => {
    output = new RecordingOutput();
    command = await CommandTestFactory.createTestingCommand({ imports: [CliModule] })
      .overrideProvider(CliOutput)
      .useValue(output)
      .compile();
  });

  afterEach(() => command.close());

  it('prints the canonical line of a valid command', async () => {
    await CommandTestFactory.run(command, ['check', 'x50,', 's1.50']);
    expect(output.lines).toEqual(['X50,S1.5']);
    expect(output.code).toBe(0);
  });

  it('prints the reason and exits 1 for an invalid command', async () => {
    await CommandTestFactory.run(command, ['check', 'X9999']);
    expect(output.lines).toEqual([]);
    expect(output.errors).toEqual(['X9999: X must be an integer from -700 to 700']);
    expect(output.code).toBe(1);
  });
});

import { Module } from '@nestjs/common';
import { CheckCommand } from './check/check.command';
import { CliOutput } from './cli-output';
import { ProgramName } from './program-name';

@Module({
  providers: [ProgramName, CliOutput, CheckCommand],
})
export class CliModule {}

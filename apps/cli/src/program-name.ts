import { Injectable, OnModuleInit } from '@nestjs/common';
import { Command } from 'commander';
import { InjectCommander } from 'nest-commander';

/** Commander names the program after the script file (main.js); users type `neck`. */
@Injectable()
export class ProgramName implements OnModuleInit {
  constructor(@InjectCommander() private readonly program: Command) {}

  onModuleInit(): void {
    this.program.name('neck').description('neck-signal command line: drive a robot neck through a hub.');
  }
}

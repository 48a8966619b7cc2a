import { Module } from '@nestjs/common';
import { CheckCommand } from './check/check.command';
import { CliOutput } from './common/cli-output';
import { CliAsker } from './common/cli-asker';
import { CliContext } from './common/cli-context';
import { ShutdownSignals } from './common/shutdown-signals';
import { DemoCommand } from './demo/demo.command';
import { DevicesCommand } from './devices/devices.command';
import { PeersCommand } from './peers/peers.command';
import { ProgramName } from './common/program-name';
import { ReplRunner } from './repl/repl-runner';
import { ReplCommand } from './repl/repl.command';
import { SendCommand } from './send/send.command';
import { SetupCommand } from './setup/setup.command';
import { Programs } from './common/programs';
import { SimCommand } from './sim/sim.command';
import { StatsCommand } from './stats/stats.command';
import { StatusCommand } from './status/status.command';
import { StopCommand } from './stop/stop.command';
import { GotoCommand } from './goto/goto.command';
import { PoseCommand } from './pose/pose.command';
import { RecordingsCommand } from './recordings/recordings.command';
import { ReplayCommand } from './replay/replay.command';

@Module({
  providers: [
    ProgramName,
    CliOutput,
    CliContext,
    CliAsker,
    ShutdownSignals,
    Programs,
    ReplRunner,
    ReplCommand,
    SendCommand,
    StopCommand,
    GotoCommand,
    PoseCommand,
    RecordingsCommand,
    ReplayCommand,
    PeersCommand,
    DevicesCommand,
    StatusCommand,
    StatsCommand,
    SetupCommand,
    SimCommand,
    DemoCommand,
    CheckCommand,
  ],
})
export class CliModule {}

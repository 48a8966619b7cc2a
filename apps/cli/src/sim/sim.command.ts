import { Command, CommandRunner, Option } from 'nest-commander';
import { integerOption } from '@neck-signal/program-kit';
import { VirtualNeck, attachVirtualNeckToPath, describeAnomaly, describeStats } from '@neck-signal/virtual-neck';
import { CliOutput } from '../common/cli-output';
import { CommandFailure, ExitCode, reportFailures } from '../common/command-failure';
import { ShutdownSignals } from '../common/shutdown-signals';

export interface SimFlags {
  serial?: string;
  baud?: number;
  fastHoming?: boolean;
  legacy?: boolean;
}

/**
 * `neck sim --serial PATH`: the virtual neck (libs/virtual-neck) on a tty, so the agent can be tried without
 * hardware: make a PTY pair with socat, run this on one end and `neck-agent --serial` on the other. The neck
 * is as strict as the real board (wire rate, 256-byte UART buffer, boot, read timeout, refused speeds); every
 * line it receives and prints is shown, everything it loses is shouted on stderr, and a summary ends the run.
 */
@Command({
  name: 'sim',
  description: 'run the virtual neck (a simulator of the firmware) on a tty, to try neck-agent without hardware',
})
export class SimCommand extends CommandRunner {
  constructor(
    private readonly output: CliOutput,
    private readonly shutdown: ShutdownSignals,
  ) {
    super();
  }

  @Option({
    flags: '--serial <path>',
    description:
      'tty to attach to, e.g. one end of: socat -d -d pty,raw,echo=0,link=/tmp/neck pty,raw,echo=0,link=/tmp/agent',
  })
  parseSerial(value: string): string {
    return value;
  }

  @Option({ flags: '--baud <n>', description: 'line speed (default 115200)' })
  parseBaud(value: string): number {
    return integerOption(50, 4_000_000, 'a baud rate such as 115200')(value);
  }

  @Option({ flags: '--fast-homing', description: 'home at once instead of the firmware’s ~5 s' })
  parseFastHoming(): boolean {
    return true;
  }

  @Option({ flags: '--legacy', description: 'simulate the firmware before Feb 2026: no HEALTH, STATUS or HOME_SOFT' })
  parseLegacy(): boolean {
    return true;
  }

  async run(_args: string[], flags: SimFlags = {}): Promise<void> {
    await reportFailures(this.output, async () => {
      const path = flags.serial;
      if (!path) {
        throw new CommandFailure(
          'neck sim needs --serial PATH: a tty such as one end of a PTY pair ' +
            '(socat -d -d pty,raw,echo=0,link=/tmp/neck pty,raw,echo=0,link=/tmp/agent)',
          ExitCode.Usage,
        );
      }
      const baudRate = flags.baud ?? 115_200;
      const neck = new VirtualNeck({
        baudRate,
        homingScale: flags.fastHoming ? 0 : 1,
        firmware: flags.legacy ? 'legacy' : 'current',
      });
      neck.onReceived((line) => this.output.line(`received: ${line}`));
      neck.onLine((line) => this.output.line(`printed:  ${line}`));
      neck.onAnomaly((anomaly) => this.output.error(describeAnomaly(anomaly)));
      const signals = this.shutdown.wait();
      try {
        const attachment = await attachVirtualNeckToPath(path, {
          neck,
          baudRate,
          onError: (error) => this.output.error(`${path}: ${error.message}`),
        });
        this.output.line(
          `virtual neck on ${path} at ${baudRate} baud${flags.legacy ? ' (legacy firmware)' : ''}; ` +
            'run the agent on the other end: neck-agent --serial OTHER_END',
        );
        this.output.line('stop with Ctrl-C');
        const ended = await Promise.race([
          signals.received.then((signal) => ({ stopped: true, why: `${signal}: stopping the virtual neck` })),
          attachment.closed.then((error) => ({
            stopped: false,
            why: `${path} closed${error ? ` (${error.message})` : ''}; the virtual neck is off`,
          })),
        ]);
        await attachment.close();
        this.output.line(`virtual neck stats: ${describeStats(neck.stats)}`);
        if (ended.stopped) {
          this.output.line(ended.why);
        } else {
          throw new CommandFailure(ended.why, ExitCode.Failed);
        }
      } finally {
        signals.dispose();
      }
    });
  }
}

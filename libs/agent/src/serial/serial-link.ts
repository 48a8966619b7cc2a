import { writeSync } from 'node:fs';
import { ReadlineParser } from '@serialport/parser-readline';
import { SerialPortStream } from '@serialport/stream';
import type { BindingInterface, SetOptions } from '@serialport/bindings-interface';

/** An open serial line to a neck: write lines, read lines, notice when it goes away. */
export interface SerialLink {
  readonly path: string;
  /**
   * Writes `line` + "\n" and resolves once the bytes are with the device: handed to the OS tty driver (which
   * sends them at the line's rate; the caller paces itself to it), or drained where the port has no descriptor.
   */
  write(line: string): Promise<void>;
  /** Every line the device prints (without its line ending). Returns an unsubscribe function. */
  onLine(listener: (line: string) => void): () => void;
  /** Called once when the link closes, with the error when it was not our doing (unplugged…). */
  onClose(listener: (error?: Error) => void): void;
  readonly isOpen: boolean;
  close(): Promise<void>;
}

/** How often an open link checks that its tty has not been hung up, ms. */
const HANGUP_CHECK_MS = 500;
/** What the OS answers on a tty that was hung up (device unplugged, PTY master closed). */
const HUNG_UP = /Input\/output error|\bEIO\b|\bENXIO\b|\bENODEV\b|No such device/i;

/** Opens `path` at `baudRate` 8N1 through a serialport binding (real, MockBinding or the virtual neck's). */
export async function openSerialLink(binding: BindingInterface, path: string, baudRate: number): Promise<SerialLink> {
  const port = new SerialPortStream({
    binding,
    path,
    baudRate,
    dataBits: 8,
    parity: 'none',
    stopBits: 1,
    autoOpen: false,
  });
  await new Promise<void>((resolve, reject) => port.open((error) => (error ? reject(error) : resolve())));
  // What the tty holds from before this opening (an old HEALTH answer, a homing announced long ago) says nothing
  // about the firmware now, and would pass for answers to this opening's probe.
  await new Promise<void>((resolve) => port.flush(() => resolve()));
  // Low latency where the OS supports it (Linux USB-serial); a PTY or other OS refuses and that is fine.
  const lowLatency: SetOptions & { lowLatency: boolean } = { lowLatency: true };
  port.set(lowLatency, () => undefined);
  return new SerialPortLink(port, path);
}

class SerialPortLink implements SerialLink {
  private readonly parser = new ReadlineParser({ delimiter: '\n', encoding: 'latin1' });
  private readonly closeListeners: ((error?: Error) => void)[] = [];
  /** Rejecters of writes not yet settled: serialport leaves a write or drain waiting for a reopen forever. */
  private readonly pendingWrites = new Set<(error: Error) => void>();
  private readonly hangupCheck: NodeJS.Timeout;
  private checking = false;
  private closed = false;
  private closing = false;

  constructor(
    private readonly port: SerialPortStream,
    readonly path: string,
  ) {
    port.pipe(this.parser);
    port.on('error', (error: Error) => this.finish(error));
    port.on('close', (error?: Error | null) => this.finish(error ?? undefined));
    // On Linux, serialport misses a hang-up that lands while a read is in flight: the read keeps returning
    // 0 bytes and is retried for ever (serialport/bindings-cpp#162), so no 'close' ever comes. An ioctl on a
    // hung-up tty fails with EIO, so ask now and then.
    this.hangupCheck = setInterval(() => this.checkHangup(), HANGUP_CHECK_MS);
    this.hangupCheck.unref();
  }

  get isOpen(): boolean {
    return !this.closed && this.port.isOpen;
  }

  write(line: string): Promise<void> {
    const text = `${line}\n`;
    const fd = this.descriptor();
    if (fd !== undefined && this.pendingWrites.size === 0) {
      // One write(2) into the tty driver's buffer, which is never full at the wire's pace: serialport's own path
      // (an fs.write and a tcdrain, each through libuv's thread pool) costs several times the CPU, 100 times a
      // second on a small board.
      try {
        const written = writeSync(fd, text, null, 'latin1');
        if (written === text.length) return Promise.resolve();
        return this.writeThroughPort(text.slice(written));
      } catch (error) {
        const failure: NodeJS.ErrnoException = error instanceof Error ? error : new Error(String(error));
        // The tty driver's buffer is full (a stalled device): serialport's path waits until it takes more.
        if (failure.code !== 'EAGAIN') return Promise.reject(failure);
      }
    }
    return this.writeThroughPort(text);
  }

  /** The open port's file descriptor, when its binding has one (a real tty; not MockBinding). */
  private descriptor(): number | undefined {
    if (!this.isOpen) return undefined;
    const fd = (this.port.port as { fd?: unknown } | undefined)?.fd;
    return typeof fd === 'number' && fd >= 0 ? fd : undefined;
  }

  private writeThroughPort(text: string): Promise<void> {
    return new Promise((resolve, reject) => {
      if (!this.isOpen) {
        reject(new Error(`${this.path} is not open`));
        return;
      }
      const fail = (error: Error) => {
        if (this.pendingWrites.delete(fail)) reject(error);
      };
      this.pendingWrites.add(fail);
      this.port.write(text, 'latin1', (error) => {
        if (error) {
          fail(error);
          return;
        }
        if (!this.pendingWrites.has(fail)) return;
        this.port.drain((drainError) => {
          if (drainError) fail(drainError);
          else if (this.pendingWrites.delete(fail)) resolve();
        });
      });
    });
  }

  onLine(listener: (line: string) => void): () => void {
    const handler = (data: string) => listener(data.replace(/\r$/, ''));
    this.parser.on('data', handler);
    return () => this.parser.off('data', handler);
  }

  onClose(listener: (error?: Error) => void): void {
    this.closeListeners.push(listener);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closing = true;
    await new Promise<void>((resolve) => {
      if (!this.port.isOpen) {
        resolve();
        return;
      }
      this.port.close(() => resolve());
    });
    this.finish(undefined);
  }

  private checkHangup(): void {
    if (this.closed || this.checking || !this.port.isOpen) return;
    this.checking = true;
    this.port.get((error) => {
      this.checking = false;
      if (error && HUNG_UP.test(error.message)) this.finish(new Error(`the device hung up (${error.message})`));
    });
  }

  private finish(error: Error | undefined): void {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.hangupCheck);
    this.port.unpipe(this.parser);
    if (this.port.isOpen) this.port.close(() => undefined);
    const reason = this.closing ? undefined : (error ?? new Error(`${this.path} closed`));
    const unwritten = new Error(
      `${this.path} closed before the line was written${reason ? `: ${reason.message}` : ''}`,
    );
    for (const fail of [...this.pendingWrites]) fail(unwritten);
    for (const listener of this.closeListeners.splice(0)) listener(reason);
  }
}

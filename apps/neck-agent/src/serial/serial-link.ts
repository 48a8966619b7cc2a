import { ReadlineParser } from '@serialport/parser-readline';
import { SerialPortStream } from '@serialport/stream';
import type { BindingInterface, SetOptions } from '@serialport/bindings-interface';

/** An open serial line to a neck: write lines, read lines, notice when it goes away. */
export interface SerialLink {
  readonly path: string;
  /** Writes `line` + "\n" and resolves once the bytes have drained to the device. */
  write(line: string): Promise<void>;
  /** Every line the device prints (without its line ending). Returns an unsubscribe function. */
  onLine(listener: (line: string) => void): () => void;
  /** Called once when the link closes, with the error when it was not our doing (unplugged…). */
  onClose(listener: (error?: Error) => void): void;
  readonly isOpen: boolean;
  close(): Promise<void>;
}

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
  // Low latency where the OS supports it (Linux USB-serial); a PTY or other OS refuses and that is fine.
  const lowLatency: SetOptions & { lowLatency: boolean } = { lowLatency: true };
  port.set(lowLatency, () => undefined);
  return new SerialPortLink(port, path);
}

class SerialPortLink implements SerialLink {
  private readonly parser = new ReadlineParser({ delimiter: '\n', encoding: 'latin1' });
  private readonly closeListeners: ((error?: Error) => void)[] = [];
  private closed = false;
  private closing = false;

  constructor(
    private readonly port: SerialPortStream,
    readonly path: string,
  ) {
    port.pipe(this.parser);
    port.on('error', (error: Error) => this.finish(error));
    port.on('close', (error?: Error | null) => this.finish(error ?? undefined));
  }

  get isOpen(): boolean {
    return !this.closed && this.port.isOpen;
  }

  write(line: string): Promise<void> {
    return new Promise((resolve, reject) => {
      if (!this.isOpen) {
        reject(new Error(`${this.path} is not open`));
        return;
      }
      this.port.write(`${line}\n`, 'ascii', (error) => {
        if (error) {
          reject(error);
          return;
        }
        this.port.drain((drainError) => (drainError ? reject(drainError) : resolve()));
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

  private finish(error: Error | undefined): void {
    if (this.closed) return;
    this.closed = true;
    this.port.unpipe(this.parser);
    if (this.port.isOpen) this.port.close(() => undefined);
    const reason = this.closing ? undefined : (error ?? new Error(`${this.path} closed`));
    for (const listener of this.closeListeners.splice(0)) listener(reason);
  }
}

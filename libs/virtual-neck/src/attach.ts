import { SerialPort } from 'serialport';
import { FIRMWARE_LINE_ENDING, VirtualNeck, VirtualNeckOptions } from './virtual-neck';

/** How `attachVirtualNeckToPath` opens the tty and builds the neck. */
export interface AttachVirtualNeckOptions extends VirtualNeckOptions {
  /** Line speed to open the tty at; also the BAUD the neck reports. Default 115200. */
  readonly baudRate?: number;
  /** Use this neck instead of creating one from the options. */
  readonly neck?: VirtualNeck;
  /** Called with every error the port reports (they also end up in `closed`). Default: none. */
  readonly onError?: (error: Error) => void;
  /** Boot (reset) the neck once the tty is open, as plugging a board in does. Default true; false leaves it as it is (call `neck.reset()` yourself, e.g. when the other end opens). */
  readonly bootOnAttach?: boolean;
}

/** A virtual neck living on a real tty. */
export interface VirtualNeckAttachment {
  readonly neck: VirtualNeck;
  /** The tty path it is attached to. */
  readonly path: string;
  /** Resolves when the tty closes for any reason (`close()`, the other end of a PTY going away), with the last error if any. */
  readonly closed: Promise<Error | undefined>;
  /** Powers the neck off and closes the tty; resolves once it is closed. */
  close(): Promise<void>;
}

/**
 * Opens `path` (e.g. one end of `socat -d -d pty,raw,echo=0,link=A pty,raw,echo=0,link=B`) with serialport
 * and puts a virtual neck on it: bytes read go to the neck (at the wire's rate, as on MockBinding), lines it
 * prints are written back ending `\r\n`. The neck boots (so it loses input for `bootMs`, then homes) as soon as
 * the tty is open, unless `bootOnAttach` is false; while it is off, bytes read are dropped.
 */
export async function attachVirtualNeckToPath(
  path: string,
  options: AttachVirtualNeckOptions = {},
): Promise<VirtualNeckAttachment> {
  const baudRate = options.baudRate ?? 115_200;
  const port = new SerialPort({ path, baudRate, autoOpen: false });
  await new Promise<void>((resolve, reject) => {
    port.open((error) => {
      if (error) reject(new Error(`could not open ${path} for the virtual neck: ${error.message}`, { cause: error }));
      else resolve();
    });
  });

  const neck = options.neck ?? new VirtualNeck({ ...options, baudRate });
  let lastError: Error | undefined;
  port.on('error', (error: Error) => {
    lastError = error;
    options.onError?.(error);
  });
  const unsubscribe = neck.onLine((line) => {
    if (port.isOpen) port.write(`${line}${FIRMWARE_LINE_ENDING}`);
  });
  const closed = new Promise<Error | undefined>((resolve) => {
    port.once('close', (disconnect?: Error | null) => {
      unsubscribe();
      neck.powerOff();
      resolve(disconnect ?? lastError);
    });
  });
  port.on('data', (chunk: Buffer) => {
    if (neck.isPowered) neck.receive(chunk);
  });
  if (options.bootOnAttach ?? true) neck.boot();

  return {
    neck,
    path,
    closed,
    close: async () => {
      if (port.isOpen) {
        await new Promise<void>((resolve, reject) => port.close((error) => (error ? reject(error) : resolve())));
      }
      await closed;
    },
  };
}

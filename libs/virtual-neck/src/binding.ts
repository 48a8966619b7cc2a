import { MockPortBinding, MockPortInternal } from '@serialport/binding-mock';
import type { BindingInterface, OpenOptions, PortInfo } from '@serialport/bindings-interface';
import { FIRMWARE_LINE_ENDING, VirtualNeck, VirtualNeckOptions } from './virtual-neck';

/** A path for a virtual neck when nothing else is asked for. */
export const DEFAULT_VIRTUAL_NECK_PATH = '/dev/ttyVNECK0';

/** How `VirtualNeckBinding.createPort` makes a port: the neck (or its options) and what `list()` reports. */
export interface VirtualNeckPortOptions extends VirtualNeckOptions {
  /** Use this neck instead of creating one from the options. */
  readonly neck?: VirtualNeck;
  /** Reported by `list()`. Default 'neck-signal virtual neck'. */
  readonly manufacturer?: string;
  /** Reported by `list()`. Default a counter, '1', '2', … */
  readonly serialNumber?: string;
  /** Reported by `list()` (hex, e.g. '10c4'). Default none. */
  readonly vendorId?: string;
  /** Reported by `list()` (hex, e.g. 'ea60'). Default none. */
  readonly productId?: string;
  /** Most bytes one read returns. Default 1024. */
  readonly maxReadSize?: number;
  /**
   * Whether opening the port resets the board, as a DevKit's USB bridge does. Default true; false is a board that
   * keeps running across openings (booted at the first one if it was off, left powered when the port closes).
   */
  readonly resetOnOpen?: boolean;
}

interface VirtualPort {
  readonly internal: MockPortInternal;
  readonly neck: VirtualNeck;
  readonly resetOnOpen: boolean;
  opened?: VirtualNeckPortBinding;
}

/**
 * An open port on a virtual neck: serialport's MockPortBinding (reads, close, flush…) whose writes go to the
 * neck and whose reads are the lines the neck prints, each ending `\r\n`. Opening boots (resets) the neck, as
 * opening a real DevKit's port resets the ESP32: bytes written in its first `bootMs` are lost, then it homes.
 * Closing powers it off.
 */
export class VirtualNeckPortBinding extends MockPortBinding {
  private readonly unsubscribe: () => void;
  private unplugged: Error | undefined;
  private failRead: ((error: Error) => void) | undefined;

  constructor(
    port: MockPortInternal,
    openOptions: Required<OpenOptions>,
    /** The neck this port talks to. */
    readonly neck: VirtualNeck,
    private readonly resetOnOpen = true,
  ) {
    super(port, openOptions);
    this.unsubscribe = neck.onLine((line) => {
      if (this.isOpen) this.emitData(`${line}${FIRMWARE_LINE_ENDING}`);
    });
    if (resetOnOpen || !neck.isPowered) neck.boot();
  }

  /**
   * Pulls the cable: the neck powers off, and the pending read (or the next write) fails as a vanished device
   * does, so the SerialPortStream closes with a DisconnectedError.
   */
  unplug(): void {
    if (this.unplugged) return;
    this.unplugged = new Error(`${this.openOptions.path}: device disconnected (virtual neck unplugged)`);
    this.unsubscribe();
    this.neck.powerOff();
    this.failRead?.(this.unplugged);
  }

  override async read(buffer: Buffer, offset: number, length: number): Promise<{ buffer: Buffer; bytesRead: number }> {
    if (this.unplugged) throw this.unplugged;
    const unplugged = new Promise<never>((_resolve, reject) => {
      this.failRead = reject;
    });
    try {
      return await Promise.race([super.read(buffer, offset, length), unplugged]);
    } finally {
      this.failRead = undefined;
    }
  }

  override async write(buffer: Buffer): Promise<void> {
    if (this.unplugged) throw this.unplugged;
    await super.write(buffer);
    if (this.isOpen && this.neck.isPowered) this.neck.receive(buffer);
  }

  override async close(): Promise<void> {
    if (this.isOpen && !this.unplugged) {
      this.unsubscribe();
      if (this.resetOnOpen) this.neck.powerOff();
    }
    await super.close();
  }
}

/**
 * A serialport binding (pass it as `binding` to `SerialPortStream`) whose ports are virtual necks. Each
 * instance keeps its own ports, apart from MockBinding's global ones, so tests cannot clash.
 */
export class VirtualNeckBinding implements BindingInterface<VirtualNeckPortBinding, OpenOptions, PortInfo> {
  private readonly ports = new Map<string, VirtualPort>();
  private serials = 0;

  /** Creates a port at `path` with a virtual neck behind it (powered off until the port is opened) and returns the neck. */
  createPort(path: string = DEFAULT_VIRTUAL_NECK_PATH, options: VirtualNeckPortOptions = {}): VirtualNeck {
    if (this.ports.has(path)) {
      throw new Error(`a virtual neck already exists at ${path} - call unplug('${path}') first or pick another path`);
    }
    const neck = options.neck ?? new VirtualNeck(options);
    this.serials++;
    const internal: MockPortInternal = {
      data: Buffer.alloc(0),
      echo: false,
      record: false,
      maxReadSize: options.maxReadSize ?? 1024,
      info: {
        path,
        manufacturer: options.manufacturer ?? 'neck-signal virtual neck',
        serialNumber: options.serialNumber ?? String(this.serials),
        pnpId: undefined,
        locationId: undefined,
        vendorId: options.vendorId,
        productId: options.productId,
      },
    };
    this.ports.set(path, { internal, neck, resetOnOpen: options.resetOnOpen ?? true });
    return neck;
  }

  /** The neck behind `path`; throws if there is none. */
  neck(path: string = DEFAULT_VIRTUAL_NECK_PATH): VirtualNeck {
    const port = this.ports.get(path);
    if (!port) throw new Error(`no virtual neck at ${path} - call createPort('${path}') first`);
    return port.neck;
  }

  /**
   * Pulls the cable at `path`: the port leaves `list()`, its neck powers off and an open SerialPort on it closes
   * with a DisconnectedError (once it reads or writes). Plug it back, under any path, with `createPort(path, { neck })`.
   */
  unplug(path: string): void {
    const port = this.ports.get(path);
    if (!port) throw new Error(`no virtual neck at ${path} - nothing to unplug`);
    this.ports.delete(path);
    port.opened?.unplug();
    port.neck.powerOff();
  }

  /** Unplugs every port. */
  reset(): void {
    for (const path of [...this.ports.keys()]) this.unplug(path);
  }

  /** The virtual ports, as `SerialPort.list()` reports real ones. */
  list(): Promise<PortInfo[]> {
    return Promise.resolve([...this.ports.values()].map((port) => ({ ...port.internal.info })));
  }

  /** Opens a virtual port: boots (resets) its neck. Rejects for an unknown path or one already open (locked). */
  async open(options: OpenOptions): Promise<VirtualNeckPortBinding> {
    if (typeof options !== 'object' || options === null) throw new TypeError('"options" is not an object');
    if (!options.path) throw new TypeError('"path" is not a valid port');
    if (!options.baudRate) throw new TypeError('"baudRate" is not a valid baudRate');
    const openOptions: Required<OpenOptions> = {
      dataBits: 8,
      lock: true,
      stopBits: 1,
      parity: 'none',
      rtscts: false,
      xon: false,
      xoff: false,
      xany: false,
      hupcl: true,
      ...options,
    };
    await new Promise<void>((resolve) => process.nextTick(resolve));
    const port = this.ports.get(openOptions.path);
    if (!port) {
      throw new Error(`no virtual neck at ${openOptions.path} - call createPort('${openOptions.path}') first`);
    }
    if (port.internal.openOpt?.lock) {
      throw new Error(`${openOptions.path} is already open and locked - close the other port first`);
    }
    port.internal.openOpt = { ...openOptions };
    const opened = new VirtualNeckPortBinding(port.internal, openOptions, port.neck, port.resetOnOpen);
    port.opened = opened;
    return opened;
  }
}

/** A new binding with no ports; add necks with `createPort(path)`. */
export function createVirtualNeckBinding(): VirtualNeckBinding {
  return new VirtualNeckBinding();
}

import type { Socket } from 'node:net';

/** The most a request head may take before the fake gives up on it. */
const MAX_HEAD_BYTES = 16 * 1024;

/** A request's head, as far as the gate needs it. */
export interface RequestHead {
  method: string;
  path: string;
  headers: Map<string, string>;
  /** The head's bytes, to hand on to the tunnel untouched. */
  raw: Buffer;
}

/**
 * Reads a public connection request by request, as an HTTP proxy does (loca.lt's reminder judges every request,
 * not only a connection's first): heads, then bodies of a known length. After an upgrade (WebSocket) or a body of
 * unknown length (chunked) the rest is raw bytes.
 */
class RequestReader {
  private buffer = Buffer.alloc(0);
  private ended = false;
  private wake: (() => void) | undefined;
  private sink: ((chunk: Buffer) => void) | undefined;

  constructor(socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      if (this.sink) return this.sink(chunk);
      this.buffer = Buffer.concat([this.buffer, chunk]);
      this.wake?.();
    });
    socket.once('close', () => {
      this.ended = true;
      this.wake?.();
    });
  }

  /** The next request's head; undefined when the connection ends first or sends a head too large. */
  async head(): Promise<RequestHead | undefined> {
    const complete = () => this.buffer.indexOf('\r\n\r\n') >= 0 || this.buffer.length > MAX_HEAD_BYTES;
    if (!(await this.until(complete))) return undefined;
    const end = this.buffer.indexOf('\r\n\r\n');
    if (end < 0) return undefined;
    const raw = this.buffer.subarray(0, end + 4);
    this.buffer = this.buffer.subarray(end + 4);
    const [requestLine = '', ...lines] = raw.subarray(0, end).toString('latin1').split('\r\n');
    const [method = '', path = '/'] = requestLine.split(' ');
    const headers = new Map<string, string>();
    for (const line of lines) {
      const colon = line.indexOf(':');
      if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
    }
    return { method, path, headers, raw };
  }

  /** The next `count` bytes (a body); undefined when the connection ends first. */
  async bytes(count: number): Promise<Buffer | undefined> {
    if (!(await this.until(() => this.buffer.length >= count))) return undefined;
    const taken = this.buffer.subarray(0, count);
    this.buffer = this.buffer.subarray(count);
    return taken;
  }

  /** Hands every byte from here on to `sink`: what is buffered now, then each chunk as it comes. */
  rest(sink: (chunk: Buffer) => void): void {
    this.sink = sink;
    const buffered = this.buffer;
    this.buffer = Buffer.alloc(0);
    if (buffered.length > 0) sink(buffered);
  }

  private async until(ready: () => boolean): Promise<boolean> {
    while (!ready()) {
      if (this.ended) return false;
      await new Promise<void>((resolve) => (this.wake = resolve));
      this.wake = undefined;
    }
    return true;
  }
}

/** The body length a head announces; undefined when it is not known up front (chunked) or past any sense. */
function bodyLength(head: RequestHead): number | undefined {
  if (head.headers.has('transfer-encoding')) return undefined;
  const length = Number(head.headers.get('content-length') ?? '0');
  return Number.isInteger(length) && length >= 0 && length <= 16 * 1024 * 1024 ? length : undefined;
}

/**
 * Whether a request meets a page instead of the tunnel; when it does, the gate answers it (reading its body with
 * `body`) and says true.
 */
export type Gate = (head: RequestHead, body: () => Promise<Buffer | undefined>) => Promise<boolean>;

/** One public connection of a tunnel, its requests judged one by one by a gate before they reach the tunnel. */
export class PublicConnection {
  private readonly reader: RequestReader;

  constructor(
    private readonly socket: Socket,
    private readonly gate: Gate,
  ) {
    this.reader = new RequestReader(socket);
  }

  /** The first request's head when it may go on to the tunnel; undefined when it met the gate or the connection ended. */
  async first(): Promise<RequestHead | undefined> {
    const head = await this.reader.head();
    if (head === undefined) {
      this.socket.destroy();
      return undefined;
    }
    return (await this.judged(head)) ? undefined : head;
  }

  /**
   * Carries the requests to the tunnel connection one by one, from `first` (already judged), each next one judged
   * first; after an upgrade (WebSocket) or a body of unknown length, raw bytes.
   */
  async carry(tunnel: Socket, first: RequestHead): Promise<void> {
    let head: RequestHead | undefined = first;
    while (head !== undefined) {
      tunnel.write(head.raw);
      const length = bodyLength(head);
      if (head.headers.has('upgrade') || length === undefined) {
        this.reader.rest((chunk) => tunnel.write(chunk));
        return;
      }
      const body = await this.reader.bytes(length);
      if (body === undefined) return;
      if (body.length > 0) tunnel.write(body);
      head = await this.reader.head();
      if (head !== undefined && (await this.judged(head))) return;
    }
  }

  private judged(head: RequestHead): Promise<boolean> {
    return this.gate(head, () => this.reader.bytes(bodyLength(head) ?? 0));
  }
}

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { io } from 'socket.io-client';
import { Events, HubHealthDto, LoginResponseDto, Role } from '@neck-signal/protocol';
import { TEST_PASSWORD, TestPeer, nextEvent } from './hub';
import { Program } from './program';

/** The built neck-hub as a process on 127.0.0.1, port 0, no tunnel, with its own config dir; `close()` ends all. */
export class HubProcess {
  private readonly peers: TestPeer[] = [];

  private constructor(
    readonly program: Program,
    readonly url: string,
    private readonly configDir: string,
  ) {}

  static async start(args: string[] = []): Promise<HubProcess> {
    const configDir = mkdtempSync(join(tmpdir(), 'neck-hub-process-'));
    const program = Program.start('hub', ['--port', '0', '--host', '127.0.0.1', '--no-tunnel', ...args], {
      PEER_SHARED_SECRET: TEST_PASSWORD,
      NECK_CONFIG_DIR: configDir,
    });
    try {
      const [, url] = await program.waitFor(/listening on (http:\/\/\S+)/);
      return new HubProcess(program, url, configDir);
    } catch (error) {
      await program.kill();
      rmSync(configDir, { recursive: true, force: true });
      throw error;
    }
  }

  /** Whether the process is still running. */
  get alive(): boolean {
    return this.program.child.exitCode === null && this.program.child.signalCode === null;
  }

  async login(body: { uuid?: string; role?: Role; pair?: boolean } = {}): Promise<LoginResponse> {
    const response = await fetch(`${this.url}/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ password: TEST_PASSWORD, ...body }),
    });
    return { status: response.status, body: (await response.json()) as LoginResponseDto & { message?: string } };
  }

  /** A socket.io-client peer with this token, not yet connected. */
  peer(token: string): TestPeer {
    const socket: TestPeer = io(this.url, {
      auth: { token },
      transports: ['websocket'],
      reconnection: false,
      forceNew: true,
    });
    this.peers.push(socket);
    return socket;
  }

  /** Logs in with the role and connects; resolves once `existing-peers` has arrived. */
  async connect(role: Role, uuid?: string): Promise<TestPeer> {
    const login = await this.login({ role, ...(uuid === undefined ? {} : { uuid }) });
    if (login.status !== 200) throw new Error(`login failed: ${login.status} ${JSON.stringify(login.body)}`);
    const socket = this.peer(login.body.token);
    await nextEvent(socket, Events.ExistingPeers);
    return socket;
  }

  async health(): Promise<HubHealthDto> {
    const response = await fetch(`${this.url}/`, { headers: { accept: 'application/json' } });
    return (await response.json()) as HubHealthDto;
  }

  async close(): Promise<void> {
    for (const peer of this.peers) peer.disconnect();
    await this.program.stop();
    rmSync(this.configDir, { recursive: true, force: true });
  }
}

export interface LoginResponse {
  status: number;
  body: LoginResponseDto & { message?: string };
}

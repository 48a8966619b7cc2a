import {
  AckTimeoutError,
  ClientClosedError,
  HubClient,
  HubError,
  NotConnectedError,
  SendCommandOptions,
} from '@neck-signal/hub-client';
import {
  DIRECTIVE_LINES,
  Events,
  formatSeconds,
  NeckAckDeliveryDto,
  NeckStatusDeliveryDto,
  parseMotionCommand,
  parseOperatorCommand,
  PeerInfoDto,
} from '@neck-signal/protocol';
import { describeControl, describePeer, describeFirmwareState, describeSerial, formatAck, isNeck } from '../hub/format';

/** What the REPL last said about a neck. */
interface NeckNews {
  readonly serial: string;
  readonly firmware: string;
  /** The last one seen controlling it (kept while nobody does). */
  readonly controller: string | undefined;
  readonly stopped: boolean;
}

/** Where the session prints: `line` for the transcript, `error` for problems. */
export interface ReplView {
  line(text: string): void;
  error(text: string): void;
}

export interface ReplSessionOptions {
  /** How long a command waits for its ack, ms. */
  ackTimeoutMs: number;
  /** Shown by `help`, when there is one. */
  historyFile?: string;
}

// `.help` and `.exit` are what Node's own REPL understands.
const QUIT_WORDS = new Set(['quit', 'exit', ':quit', ':exit', ':q', '.exit']);
const HELP_WORDS = new Set(['help', '?', ':help', ':h', '.help']);

/** Why socket.io ended a connection, in words a person reads ("transport close" is socket.io's own). */
const DISCONNECT_REASONS: Readonly<Record<string, string>> = {
  'transport close': 'the connection closed',
  'transport error': 'a network error',
  'ping timeout': 'the hub stopped answering',
  'io server disconnect': 'the hub ended the session',
  'parse error': 'the hub sent something unreadable',
};

/** True for `quit`, `exit`, `.exit` and their `:` forms. */
export function isQuitCommand(line: string): boolean {
  return QUIT_WORDS.has(line.trim().toLowerCase());
}

/**
 * One REPL session on a connected hub client: checks each line with the firmware grammar (an invalid line is
 * printed with its reason and nothing is sent), sends valid ones as `broadcast-message` — or as `peer-message`
 * to the peer chosen with `:target` — and prints every ack (status, the line written, round trip), firmware
 * output, necks' serial state changes and peers joining and leaving. The seed's user_interface.py, done properly.
 */
export class ReplSession {
  /** Uuid of the peer commands go to; every peer when undefined. */
  private targetUuid: string | undefined;
  /** Connected peers by sid, kept here so that a peer that left can still be named. */
  private readonly peers = new Map<string, PeerInfoDto>();
  /** What was last said about each neck (by sid), so that only changes are said. */
  private readonly said = new Map<string, NeckNews>();
  private readonly unsubscribe: (() => void)[] = [];
  private connectedOnce = false;
  private closed = false;

  constructor(
    private readonly client: HubClient,
    private view: ReplView,
    private readonly options: ReplSessionOptions,
  ) {}

  /** Subscribes to the hub's events; call before the client connects (existing-peers comes while connecting). */
  attach(): void {
    const { client } = this;
    this.unsubscribe.push(
      client.on(Events.ExistingPeers, (peers) => {
        this.peers.clear();
        for (const peer of peers) this.peers.set(peer.id, peer);
      }),
      client.on(Events.NewPeer, (peer) => {
        this.peers.set(peer.id, peer);
        this.view.line(`peer joined: ${describePeer(peer, this.client.uuid)}`);
      }),
      client.on(Events.PeerDisconnect, (sid) => {
        const peer = this.peers.get(sid);
        this.peers.delete(sid);
        this.said.delete(sid);
        this.view.line(`peer left: ${peer ? describePeer(peer, this.client.uuid) : sid}`);
        if (peer && peer.uuid === this.targetUuid && this.sidOf(peer.uuid) === undefined) {
          this.view.error(
            `your :target ${peer.uuid} has left; commands to it fail until it is back (:all for everyone)`,
          );
        }
      }),
      // Every ack, once: our commands' (with their round trip), further necks', other peers', the Python agent's;
      // with where its time went when the neck says.
      client.onCommandAck(({ ack, roundTripMs }) => this.printAck(ack, roundTripMs)),
      client.on(Events.NeckOutput, (output) =>
        this.view.line(`neck ${this.nameOf(output.peerId)} says: ${output.line}`),
      ),
      client.on(Events.NeckStatus, (status) => this.noteStatus(status)),
      client.onLifecycle('connected', () => {
        if (this.connectedOnce) this.view.line('connected to the hub again');
        this.connectedOnce = true;
      }),
      client.onLifecycle('disconnected', (reason) => {
        if (!this.closed) {
          this.view.error(`lost the connection to the hub (${DISCONNECT_REASONS[reason] ?? reason}); reconnecting…`);
        }
      }),
      client.onLifecycle('relogin', (info) => this.view.line(`logged in again (${info.reason})`)),
    );
  }

  /** Prints from now on through this view (the interactive REPL redraws its prompt around each line). */
  setView(view: ReplView): void {
    this.view = view;
  }

  /** The prompt: `neck> `, or `neck → UUID> ` while commands go to one peer. */
  get prompt(): string {
    return this.targetUuid === undefined ? 'neck> ' : `neck → ${this.targetUuid}> `;
  }

  /** Uuids of the connected peers, for tab completion of `:target`. */
  peerUuids(): string[] {
    return [...new Set([...this.peers.values()].map((peer) => peer.uuid))];
  }

  /** `READY …`: who we are and which necks are there. */
  readyLine(): string {
    const necks = [...this.peers.values()].filter(isNeck).map((peer) => peer.uuid);
    const who = `you are ${this.client.uuid ?? '?'} on ${this.client.url}`;
    const there =
      necks.length === 0
        ? 'no neck is connected yet; commands time out until one joins'
        : `${necks.length} neck${necks.length === 1 ? '' : 's'}: ${necks.join(', ')}`;
    return `READY ${who}; ${there}`;
  }

  /**
   * Handles one line: a REPL command, or a neck command to check and send. Resolves once the line is done
   * with: for a command, when its ack has been printed, the hub refused it, or the wait timed out.
   * Quitting is the caller's business (see isQuitCommand).
   */
  async handle(input: string): Promise<void> {
    const line = input.trim();
    if (line === '') return;
    const word = line.toLowerCase();
    if (HELP_WORDS.has(word)) return this.help();
    if (word === ':all') {
      this.targetUuid = undefined;
      this.view.line('commands now go to every peer (broadcast-message)');
      return;
    }
    if (word === ':peers') return this.listPeers();
    if (word === ':take') return this.send(DIRECTIVE_LINES.take);
    if (word === ':release') return this.send(DIRECTIVE_LINES.yield);
    if (word === ':target' || word.startsWith(':target ')) return this.setTarget(line.slice(':target'.length).trim());
    if (line.startsWith(':')) {
      this.view.error(`unknown REPL command ${line.split(/\s/)[0]}; type help`);
      return;
    }
    // GOTO, POSE and REPLAY are the agent's to run; anything else is a directive or a firmware line.
    const parsed = parseMotionCommand(line) ?? parseOperatorCommand(line);
    if (!parsed.ok) {
      this.view.error(`invalid: ${parsed.error.message} (nothing sent)`);
      return;
    }
    await this.send(parsed.line);
  }

  /** Stops listening; commands still waiting are dropped by the client's close(). */
  close(): void {
    this.closed = true;
    for (const off of this.unsubscribe.splice(0)) off();
  }

  private async send(line: string): Promise<void> {
    const options: SendCommandOptions = { timeoutMs: this.options.ackTimeoutMs };
    if (this.targetUuid !== undefined) {
      const sid = this.sidOf(this.targetUuid);
      if (sid === undefined) {
        this.view.error(
          `${this.targetUuid} is not connected; ${line} was not sent (:peers lists peers, :all sends to all)`,
        );
        return;
      }
      options.target = sid;
    }
    if (!this.client.connected) {
      this.view.error(
        `${line} was not sent: the hub is not connected right now (reconnecting); type it again once "connected to the hub again" shows`,
      );
      return;
    }
    try {
      // Its ack is printed by the onCommandAck handler, before this resolves.
      await this.client.sendCommand(line, options);
    } catch (error) {
      if (this.closed || error instanceof ClientClosedError) return;
      if (error instanceof NotConnectedError) {
        this.view.error(
          `no ack for ${line}: the connection to the hub dropped after it was sent, so the neck may or may not have run it`,
        );
      } else if (error instanceof AckTimeoutError) {
        this.view.error(
          `no ack for ${line} within ${formatSeconds(error.timeoutMs)}; is a neck connected and its agent running? (:peers)`,
        );
      } else if (error instanceof HubError) {
        this.view.error(`the hub refused ${line}: ${error.message} [${error.code}]`);
      } else {
        this.view.error(error instanceof Error ? error.message : String(error));
      }
    }
  }

  private printAck(ack: NeckAckDeliveryDto, roundTripMs: number | undefined): void {
    const text = formatAck(ack, this.nameOf(ack.peerId), roundTripMs);
    if (ack.status === 'rejected' || ack.status === 'stale') this.view.error(text);
    else this.view.line(text);
  }

  /**
   * Says what changed on a neck, once: its serial port, its firmware's state, who controls it (not when you
   * take it by moving, nor when a lease lapses: only a new controller is news), a STOP and its RELEASE.
   */
  private noteStatus(status: NeckStatusDeliveryDto): void {
    const me = this.client.uuid;
    const before = this.said.get(status.peerId);
    const news: NeckNews = {
      serial: describeSerial(status),
      firmware: describeFirmwareState(status),
      controller: status.control.holder?.uuid ?? before?.controller,
      stopped: status.control.stopped,
    };
    this.said.set(status.peerId, news);
    const neck = `neck ${status.uuid}`;
    const changed = [
      ...(news.serial === before?.serial ? [] : [news.serial]),
      ...(news.firmware === before?.firmware ? [] : [news.firmware]),
    ];
    if (changed.length > 0) this.view.line(`${neck}: ${changed.join('; ')}`);
    const holder = status.control.holder?.uuid;
    if (holder !== undefined && holder !== before?.controller && holder !== me) {
      this.view.line(`${holder} ${before ? 'now controls' : 'controls'} ${neck}`);
    }
    if (news.stopped && !before?.stopped) this.view.error(`${neck}: ${describeControl(status.control, me)}`);
    if (!news.stopped && before?.stopped) this.view.line(`${neck}: released; it takes motion again`);
  }

  private setTarget(wanted: string): void {
    if (wanted === '') {
      this.view.line(
        this.targetUuid === undefined
          ? 'commands go to every peer; :target UUID sends to one only'
          : `commands go to ${this.targetUuid} only; :all sends to every peer`,
      );
      return;
    }
    const peer = [...this.peers.values()].find((candidate) => candidate.uuid === wanted || candidate.id === wanted);
    if (!peer) {
      const known = this.peerUuids();
      this.view.error(`no peer ${wanted} is connected${known.length > 0 ? `; connected: ${known.join(', ')}` : ''}`);
      return;
    }
    this.targetUuid = peer.uuid;
    const note = isNeck(peer) ? '' : ' (not a neck: it will not write anything to a serial port)';
    this.view.line(`commands now go to ${peer.uuid} only (peer-message)${note}; :all sends to every peer`);
  }

  private listPeers(): void {
    const peers = [...this.peers.values()];
    if (peers.length === 0) {
      this.view.line('no other peer is connected');
      return;
    }
    for (const peer of peers)
      this.view.line(
        `peer ${describePeer(peer, this.client.uuid)}${peer.uuid === this.targetUuid ? '  ← :target' : ''}`,
      );
  }

  private help(): void {
    const lines = [
      'Type a neck command and press Enter: it is checked here, then sent to every peer (or your :target).',
      '  HOME  HOME_SOFT  HOME_BRUTE   home the neck (HOME is HOME_BRUTE)',
      '  HEALTH  STATUS                ask the firmware for its health line',
      '  X50,Y-20,H30,S1.5             head pose: X Y Z R P -700…700, H 0…70, S up to 4.19, A up to 10;',
      '                                axes left out keep their value (the agent merges the pose)',
      '  1:55,2:60.5                   actuator lengths: id 1–6, 0…80 mm',
      '  Q:0.9239,0,0.3827,0,H30       quaternion w,x,y,z, then two of H S A',
      '  HOME_SOFT|X10                 up to 8 commands in one line, run in order',
      '  STOP                          anyone: drop what waits, refuse all motion until RELEASE',
      '                                (a move already under way still ends at its target)',
      '  RELEASE                       lift a STOP',
      '  GOTO X50,Y-20 IN 800          the agent eases the head there (ms; EASE LINEAR for a straight ramp)',
      '  POSE SAVE NAME  POSE GO NAME  keep the current pose on the agent, or ease back to it',
      '  REPLAY ID SPEED 1             the neck replays a recording (neck recordings lists them)',
      'One operator at a time moves a neck: the first to move holds its control until it stops',
      'moving for a while (2 s); the others are refused with CONTROL_HELD.',
      'Each ack says where its time went, each part in ms on its own machine’s clock: hub (relaying it),',
      'link (the network to the neck and back), agent (on the robot), of which queue (waiting for the',
      'firmware), fence (of that, behind a HOME) and wire (the serial line). neck stats sums them up.',
      'REPL commands:',
      '  :target UUID   send to that peer only     :all      send to every peer again',
      '  :take          take control of the neck   :release  give your control up',
      '  :peers         list connected peers       help      this text',
      '  quit, exit or Ctrl-D to leave; Ctrl-C clears the line',
      `Tab completes keywords, axes and uuids; ↑ and ↓ recall earlier lines${
        this.options.historyFile ? ` (kept in ${this.options.historyFile})` : ''
      }.`,
    ];
    for (const text of lines) this.view.line(text);
  }

  private sidOf(uuid: string): string | undefined {
    return [...this.peers.values()].find((peer) => peer.uuid === uuid)?.id;
  }

  private nameOf(sid: string): string {
    return this.peers.get(sid)?.uuid ?? sid;
  }
}

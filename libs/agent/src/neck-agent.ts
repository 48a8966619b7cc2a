import { join } from 'node:path';
import { Logger } from '@nestjs/common';
import { autoDetect } from '@serialport/bindings-cpp';
import type { BindingInterface } from '@serialport/bindings-interface';
import { HubClient } from '@neck-signal/hub-client';
import { DEFAULT_VIRTUAL_NECK_PATH, VirtualNeck, createVirtualNeckBinding } from '@neck-signal/virtual-neck';
import { neckSignalVersion } from '@neck-signal/program-kit';
import { AgentSettings } from './config/agent-settings';
import { POSES_FILE, PoseStore } from './motion/pose-store';
import { Recorder } from './recording/recorder';
import { RecordingCatalog } from './recording/recording-catalog';
import { RecordingHubLink } from './recording/recording-hub-link';
import { RecordingsResponder } from './recording/recordings-responder';
import { RecordingUploads } from './recording/recording-uploads';
import { RecordingReplaySource } from './recording/replay-source';
import { HubClientLink } from './relay/hub-client-link';
import { HubLink } from './relay/hub-link';
import { Relay } from './relay/relay';
import { DiscoveryEnvironment, systemDiscoveryEnvironment } from './serial/port-discovery';
import { SerialConnection } from './serial/serial-connection';

export interface NeckAgentOptions {
  /** Where serial ports come from; default the real ports, or the virtual neck with settings.serial.simulate. */
  discovery?: DiscoveryEnvironment;
}

/** The agent: a neck peer on the hub, a serial connection to the firmware, and the relay between them. */
export class NeckAgent {
  private readonly logger = new Logger('neck-agent');
  readonly client: HubClient;
  readonly relay: Relay;
  readonly serial: SerialConnection;
  /** The simulated neck with --simulate. */
  readonly virtualNeck: VirtualNeck | undefined;
  /** Records each session as MCAP, unless recording is off. */
  readonly recorder: Recorder | undefined;
  /** Answers operators' requests for the recordings' list and their bytes. */
  readonly recordings: RecordingsResponder;

  constructor(settings: AgentSettings, options: NeckAgentOptions = {}) {
    let serialSettings = settings.serial;
    let discovery = options.discovery;
    if (!discovery) {
      let binding: BindingInterface = autoDetect();
      if (settings.serial.simulate) {
        const virtual = createVirtualNeckBinding();
        this.virtualNeck = virtual.createPort(DEFAULT_VIRTUAL_NECK_PATH);
        binding = virtual;
        serialSettings = { ...serialSettings, path: DEFAULT_VIRTUAL_NECK_PATH };
      }
      discovery = systemDiscoveryEnvironment(binding, (message) => this.logger.log(message));
    }
    this.client = new HubClient({
      url: settings.serverUrl,
      ...(settings.password === undefined ? {} : { password: settings.password }),
      ...(settings.deviceKeys === undefined ? {} : { deviceKeys: settings.deviceKeys }),
      uuid: settings.uuid,
      role: 'neck',
      retryIntervalMs: settings.loginRetryMs,
    });
    if (settings.recording?.enabled) {
      this.recorder = new Recorder({
        dir: settings.recording.dir,
        budgetBytes: settings.recording.budgetBytes,
        metadata: { uuid: settings.uuid, agentVersion: neckSignalVersion() },
      });
    }
    const recorder = this.recorder;
    const catalog = settings.recording?.enabled
      ? new RecordingCatalog(settings.recording.dir, () => recorder?.currentId)
      : undefined;
    const uploads = settings.recording?.enabled
      ? new RecordingUploads(settings.recording.dir, settings.recording.budgetBytes, () =>
          recorder ? recorder.enforceBudget() : Promise.resolve(),
        )
      : undefined;
    this.recordings = new RecordingsResponder(this.client, catalog, uploads);
    let link: HubLink = new HubClientLink(this.client);
    if (recorder) link = new RecordingHubLink(link, recorder);
    this.relay = new Relay(link, {
      limits: settings.limits,
      timing: settings.firmware,
      leaseMs: settings.leaseMs,
      staleAfterMs: settings.staleAfterMs,
      baudRate: serialSettings.baudRate,
      statusIntervalMs: settings.statusIntervalMs,
      poses: new PoseStore(join(settings.configDir, POSES_FILE)),
      ...(catalog ? { replays: new RecordingReplaySource(catalog, recorder) } : {}),
      print: (line) => {
        recorder?.wrote(line);
        this.logger.log(`wrote ${line}`);
      },
    });
    if (recorder) this.relay.onStatus((status) => recorder.status(status));
    this.serial = new SerialConnection(serialSettings, discovery, {
      open: (link) => this.relay.portOpened(link),
      down: (reason) => this.relay.portDown(reason),
      line: (text) => {
        recorder?.output(text);
        this.relay.firmwareLine(text);
      },
    });
    this.client.onLifecycle('login-retry', (info) => this.logger.warn(info.message));
    this.client.onLifecycle('paired', (uuid) =>
      this.logger.log(`paired with the hub as ${uuid}: from now on this agent logs in with its device key`),
    );
    this.client.onLifecycle('renew-failed', (reason) =>
      this.logger.warn(`could not renew the hub token (${reason}); retrying`),
    );
    this.client.onLifecycle('relogin', (info) =>
      this.logger.log(`hub refused our token (${info.reason}); logged in again`),
    );
    this.client.onLifecycle('input-refused', (info) =>
      this.logger.warn(`dropped a ${info.event} from the hub: ${info.reason}`),
    );
    this.client.onLifecycle('connected', (sid) =>
      this.logger.log(`connected to ${settings.serverUrl} as ${settings.uuid} (${sid})`),
    );
    this.client.onLifecycle('disconnected', (reason) => {
      // 'io client disconnect' is our own close() at shutdown: nothing to reconnect.
      if (reason !== 'io client disconnect') this.logger.warn(`disconnected from the hub (${reason}); reconnecting`);
    });
  }

  start(): void {
    this.recorder?.start().catch((error: unknown) => this.logger.warn(`not recording: ${(error as Error).message}`));
    this.relay.start();
    this.serial.start();
    this.client.connect().catch((error: unknown) => this.logger.error(`hub: ${(error as Error).message}`));
  }

  async stop(): Promise<void> {
    this.relay.stop();
    await this.serial.stop();
    await this.client.close();
    await this.recorder?.stop();
  }
}

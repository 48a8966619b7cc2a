import type { DeviceKeyFile, TrustedCertificate } from '@neck-signal/program-kit';
import { NeckLimits } from '@neck-signal/protocol';
import { FirmwareTiming } from '../firmware/firmware-session';

/** Everything the agent runs with, resolved once at start-up from flags, env, .env and agent.json. */
export interface AgentSettings {
  readonly configDir: string;
  /** Hub URL, e.g. https://neck-signal.loca.lt. */
  readonly serverUrl: string;
  /**
   * The hub's certificate authority to trust, for a hub that makes its own certificate (NECK_HUB_CA, agent.json
   * `hub_ca`). Loading the settings also makes every HubClient for serverUrl trust it (HubClient.trustHub).
   */
  readonly hubCa?: TrustedCertificate;
  /** The shared password (PEER_SHARED_SECRET); needed to pair, not once paired. */
  readonly password?: string;
  /** The key the hub gave this agent's uuid when it paired (device-keys.json in the config dir, 0600). */
  readonly deviceKeys?: DeviceKeyFile;
  /** This agent's uuid, kept in agent.json so it stays the same across restarts. */
  readonly uuid: string;
  readonly serial: SerialSettings;
  /** Ranges the grammar enforces, narrowed by agent.json `limits`. */
  readonly limits: Partial<NeckLimits>;
  /** How the agent paces itself to the firmware (agent.json `firmware_boot_ms`, …). */
  readonly firmware: FirmwareTiming;
  /** How long an operator's control lasts without motion, ms (agent.json `control_lease_ms`). Default 2000. */
  readonly leaseMs: number;
  /** A pose later than its sender's usual delay by more than this is dropped, ms (`stale_after_ms`). Default 250. */
  readonly staleAfterMs: number;
  /** Period of neck_status while nothing changes, ms. Default 10 000. */
  readonly statusIntervalMs: number;
  /** Delay between login attempts, ms. Default 3 000. */
  readonly loginRetryMs: number;
  /** Recording sessions as MCAP (`--record`, agent.json `record`, `record_budget_mb`); absent: not recorded. */
  readonly recording?: RecordingSettings;
}

export interface RecordingSettings {
  /** Default true; `--record off` turns it off. */
  readonly enabled: boolean;
  /** Where the files go: the config dir's `recordings/`. */
  readonly dir: string;
  /** All recordings together stay under this many bytes. Default 1 GB. */
  readonly budgetBytes: number;
}

export interface SerialSettings {
  /** An explicit port (--serial or agent.json); discovery is skipped. */
  readonly path?: string;
  /** Baud rate. Default 115200. */
  readonly baudRate: number;
  /** Drive the virtual neck in-process instead of a serial port. */
  readonly simulate: boolean;
  /** Paths tried after by-id links and known USB-serial adapters. */
  readonly candidates: readonly string[];
  /** Delay between discovery attempts while no port is open, ms. Default 1 000. */
  readonly retryMs: number;
  /** How long a HEALTH probe waits for `DEVICE=NECK` (the firmware homes ~5 s after a reset), ms. Default 8 000. */
  readonly probeTimeoutMs: number;
  /** Silence after opening a port before the first byte (a DevKit resets on open and boots), ms. Default 1 000. */
  readonly bootQuietMs: number;
}

/**
 * Paths tried after by-id links and known USB-serial adapters, by platform: COM ports on Windows only, device
 * files elsewhere. The seed's /dev/tty0 and tty1 are Linux consoles, not serial ports: they are not here.
 */
export const SERIAL_CANDIDATES_BY_PLATFORM = {
  win32: ['COM3', 'COM4'],
  // Other macOS ports are named after the adapter's serial number (/dev/cu.usbserial-0001); the binding's
  // list finds them by their USB vendor.
  darwin: ['/dev/cu.SLAB_USBtoUART'],
  other: ['/dev/ttyUSB0', '/dev/ttyUSB1', '/dev/ttyACM0', '/dev/ttyACM1'],
} as const satisfies Record<string, readonly string[]>;

/** The default candidates on `platform` (process.platform's values). */
export function defaultSerialCandidates(platform: NodeJS.Platform = process.platform): readonly string[] {
  if (platform === 'win32' || platform === 'darwin') return SERIAL_CANDIDATES_BY_PLATFORM[platform];
  return SERIAL_CANDIDATES_BY_PLATFORM.other;
}

/** The default candidates on this machine's platform. */
export const DEFAULT_SERIAL_CANDIDATES = defaultSerialCandidates();

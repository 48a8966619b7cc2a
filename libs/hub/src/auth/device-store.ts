import { Logger, ServiceUnavailableException } from '@nestjs/common';
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Role } from '@neck-signal/protocol';
import { isNotFound, writeFileAtomically } from '@neck-signal/program-kit';
import { RedisClient, closeRedisClients, connectRedisClients, createRedisClient } from '../signalling/redis-adapter';
import type { RedisHealth } from '../signalling/redis-health';

/** A device key as the hub keeps it: the hash of its secret, never the secret. */
export interface DeviceKeyEntry {
  readonly keyId: string;
  readonly uuid: string;
  readonly role: Role;
  /** sha256 of the key's secret, hex. */
  readonly secretHash: string;
  /** ms since the epoch. */
  readonly pairedAt: number;
  readonly lastUsedAt: number | null;
}

/** What the hub remembers of its paired devices: keys, and revocations (which also end tokens issued before). */
export interface DeviceStore {
  add(entry: DeviceKeyEntry): Promise<void>;
  get(keyId: string): Promise<DeviceKeyEntry | undefined>;
  all(): Promise<DeviceKeyEntry[]>;
  touch(keyId: string, at: number): Promise<void>;
  /** Removes these keys (no revocation: tokens already issued stay valid until they expire). */
  removeKeys(keyIds: readonly string[]): Promise<void>;
  /** Removes every key of `uuid` and remembers when; returns how many keys went. */
  revoke(uuid: string, at: number): Promise<number>;
  /** Removes every key and remembers when; returns how many went. */
  revokeAll(at: number): Promise<number>;
  /** When `uuid` (or every device) was last revoked, ms since the epoch; 0 if never. */
  revokedAt(uuid: string): Promise<number>;
  close(): Promise<void>;
}

/** The devices file in the hub's config dir (0600: it holds key hashes). */
export const DEVICES_FILE = 'devices.json';
const ALL = '*';

/** A new device key `<key id>.<secret>` and its entry; the secret is returned once and kept nowhere. */
export function newDeviceKey(uuid: string, role: Role, now: number): { key: string; entry: DeviceKeyEntry } {
  const keyId = randomBytes(9).toString('base64url');
  const secret = randomBytes(32).toString('base64url');
  return {
    key: `${keyId}.${secret}`,
    entry: { keyId, uuid, role, secretHash: hash(secret), pairedAt: now, lastUsedAt: null },
  };
}

/** The key id of a presented key, and whether its secret matches the entry (constant time). */
export function splitDeviceKey(key: string): { keyId: string; secret: string } | undefined {
  const dot = key.indexOf('.');
  if (dot <= 0 || dot === key.length - 1) return undefined;
  return { keyId: key.slice(0, dot), secret: key.slice(dot + 1) };
}

export function secretMatches(entry: DeviceKeyEntry, secret: string): boolean {
  const given = Buffer.from(hash(secret), 'hex');
  const kept = Buffer.from(entry.secretHash, 'hex');
  return given.length === kept.length && timingSafeEqual(given, kept);
}

function hash(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

interface DevicesFile {
  keys: Record<string, DeviceKeyEntry>;
  revoked: Record<string, number>;
}

/** The devices of one hub, in `devices.json` of its config dir, written atomically with mode 0600. */
export class FileDeviceStore implements DeviceStore {
  private readonly path: string;
  private data: DevicesFile;

  constructor(configDir: string) {
    this.path = join(configDir, DEVICES_FILE);
    this.data = this.read();
  }

  add(entry: DeviceKeyEntry): Promise<void> {
    this.data.keys[entry.keyId] = entry;
    return this.write();
  }

  get(keyId: string): Promise<DeviceKeyEntry | undefined> {
    return Promise.resolve(this.data.keys[keyId]);
  }

  all(): Promise<DeviceKeyEntry[]> {
    return Promise.resolve(Object.values(this.data.keys));
  }

  touch(keyId: string, at: number): Promise<void> {
    const entry = this.data.keys[keyId];
    if (!entry) return Promise.resolve();
    this.data.keys[keyId] = { ...entry, lastUsedAt: at };
    return this.write();
  }

  removeKeys(keyIds: readonly string[]): Promise<void> {
    for (const keyId of keyIds) delete this.data.keys[keyId];
    return this.write();
  }

  async revoke(uuid: string, at: number): Promise<number> {
    const gone = Object.values(this.data.keys).filter((entry) => entry.uuid === uuid);
    for (const entry of gone) delete this.data.keys[entry.keyId];
    this.data.revoked[uuid] = at;
    await this.write();
    return gone.length;
  }

  async revokeAll(at: number): Promise<number> {
    const count = Object.keys(this.data.keys).length;
    this.data = { keys: {}, revoked: { [ALL]: at } };
    await this.write();
    return count;
  }

  revokedAt(uuid: string): Promise<number> {
    return Promise.resolve(Math.max(this.data.revoked[uuid] ?? 0, this.data.revoked[ALL] ?? 0));
  }

  close(): Promise<void> {
    return Promise.resolve();
  }

  private read(): DevicesFile {
    try {
      const parsed = JSON.parse(readFileSync(this.path, 'utf8')) as Partial<DevicesFile>;
      return { keys: parsed.keys ?? {}, revoked: parsed.revoked ?? {} };
    } catch (error) {
      if (isNotFound(error)) return { keys: {}, revoked: {} };
      throw new Error(
        `${this.path} cannot be read (${(error as Error).message}); fix or delete it (devices pair again)`,
      );
    }
  }

  private write(): Promise<void> {
    writeFileAtomically(this.path, `${JSON.stringify(this.data, null, 2)}\n`, 0o600);
    return Promise.resolve();
  }
}

/**
 * The devices of every hub sharing one Redis: hashes `neck-signal:device-keys` and `neck-signal:revoked`. While
 * Redis is away, reading or changing keys fails at once with 503 (a device-key login, pairing, /devices): the hub
 * cannot tell a revoked key from a good one. Revocations are mirrored here, read again each time Redis comes
 * back, so that tokens are still checked against every revocation this hub has seen (a revocation cannot be made
 * during the outage, since it must reach Redis).
 */
export class RedisDeviceStore implements DeviceStore {
  private readonly client: RedisClient;
  private static readonly KEYS = 'neck-signal:device-keys';
  private static readonly REVOKED = 'neck-signal:revoked';
  private readonly revokedMirror = new Map<string, number>();

  constructor(
    private readonly url: string,
    private readonly health: RedisHealth,
  ) {
    this.client = createRedisClient(url, true);
    this.client.on('ready', () => void this.mirrorRevocations());
  }

  /** Starts connecting (and reconnecting whenever Redis comes back). */
  connect(): void {
    connectRedisClients(this.url, { 'device store': this.client }, this.health, new Logger('DeviceStore'));
  }

  async add(entry: DeviceKeyEntry): Promise<void> {
    await this.run((client) => client.hSet(RedisDeviceStore.KEYS, entry.keyId, JSON.stringify(entry)));
  }

  async get(keyId: string): Promise<DeviceKeyEntry | undefined> {
    const text = await this.run((client) => client.hGet(RedisDeviceStore.KEYS, keyId));
    return typeof text === 'string' ? (JSON.parse(text) as DeviceKeyEntry) : undefined;
  }

  async all(): Promise<DeviceKeyEntry[]> {
    const all = await this.run((client) => client.hGetAll(RedisDeviceStore.KEYS));
    return Object.values(all).map((text) => JSON.parse(String(text)) as DeviceKeyEntry);
  }

  async touch(keyId: string, at: number): Promise<void> {
    const entry = await this.get(keyId);
    if (entry) await this.add({ ...entry, lastUsedAt: at });
  }

  async removeKeys(keyIds: readonly string[]): Promise<void> {
    if (keyIds.length > 0) await this.run((client) => client.hDel(RedisDeviceStore.KEYS, [...keyIds]));
  }

  async revoke(uuid: string, at: number): Promise<number> {
    const gone = (await this.all()).filter((entry) => entry.uuid === uuid);
    if (gone.length > 0) await this.removeKeys(gone.map((entry) => entry.keyId));
    await this.run((client) => client.hSet(RedisDeviceStore.REVOKED, uuid, String(at)));
    this.revokedMirror.set(uuid, at);
    return gone.length;
  }

  async revokeAll(at: number): Promise<number> {
    const count = (await this.all()).length;
    await this.run((client) => client.del([RedisDeviceStore.KEYS, RedisDeviceStore.REVOKED]));
    await this.run((client) => client.hSet(RedisDeviceStore.REVOKED, ALL, String(at)));
    this.revokedMirror.clear();
    this.revokedMirror.set(ALL, at);
    return count;
  }

  /** From Redis when it answers, else from the mirror of the revocations last read. */
  async revokedAt(uuid: string): Promise<number> {
    if (this.client.isReady) {
      try {
        const [one, all] = await this.client.hmGet(RedisDeviceStore.REVOKED, [uuid, ALL]);
        if (one !== null) this.revokedMirror.set(uuid, Number(one));
        if (all !== null) this.revokedMirror.set(ALL, Number(all));
        return Math.max(Number(one ?? 0), Number(all ?? 0));
      } catch {
        // Redis went away between the check and the answer: the mirror answers.
      }
    }
    return Math.max(this.revokedMirror.get(uuid) ?? 0, this.revokedMirror.get(ALL) ?? 0);
  }

  async close(): Promise<void> {
    this.health.forget('device store');
    await closeRedisClients([this.client]);
  }

  private async mirrorRevocations(): Promise<void> {
    try {
      const revoked = await this.client.hGetAll(RedisDeviceStore.REVOKED);
      this.revokedMirror.clear();
      for (const [uuid, at] of Object.entries(revoked)) this.revokedMirror.set(uuid, Number(at));
    } catch {
      // Gone again: the next 'ready' reads them.
    }
  }

  /** Runs a command, or refuses with 503 while Redis is away (the command would fail, or answer too late). */
  private async run<T>(command: (client: RedisClient) => Promise<T>): Promise<T> {
    if (this.client.isReady) {
      try {
        return await command(this.client);
      } catch (error) {
        if (this.client.isReady) throw error;
      }
    }
    throw new ServiceUnavailableException(
      'device keys are kept in Redis, which this hub cannot reach now; try again in a moment ' +
        '(the shared password still logs in, without pairing)',
    );
  }
}

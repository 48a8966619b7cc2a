import { IsInt, IsOptional, IsString } from 'class-validator';
import { join } from 'node:path';
import {
  envFilePath,
  envValue,
  readConfigFile,
  readEnvFile,
  readJsonFile,
  writeJsonFile,
} from '@neck-signal/program-kit';
import { rmSync } from 'node:fs';

/** The demo keeps its own config (password, JWT secret, uuids) here, under the config dir, apart from a real hub's. */
export const DEMO_DIR = 'demo';
/** Where a running demo says where it serves, for `neck` commands in other terminals. */
export const RUNNING_DEMO_FILE = 'running.json';

/** `demo/running.json`: written (atomically) once the demo serves, removed when it stops. */
export class RunningDemoFile {
  /** The demo hub's URL, e.g. http://127.0.0.1:5000. */
  @IsString() url!: string;
  /** The demo's process: a file whose process is gone is stale (a demo killed with SIGKILL). */
  @IsInt() pid!: number;
  /** With --lan: the demo's https-ca.pem, to trust. */
  @IsOptional() @IsString() hub_ca?: string;
}

/** A demo serving on this machine, with what a `neck` command needs to reach it. */
export interface RunningDemo {
  readonly url: string;
  readonly password: string;
  readonly hubCaPath?: string;
}

export function demoDirOf(configDir: string): string {
  return join(configDir, DEMO_DIR);
}

/** Says that this process's demo serves at `url`; returns what takes it back (only while the file is still ours). */
export function announceDemo(demoDir: string, url: string, hubCaPath?: string): () => void {
  const path = join(demoDir, RUNNING_DEMO_FILE);
  writeJsonFile(path, { url, pid: process.pid, ...(hubCaPath === undefined ? {} : { hub_ca: hubCaPath }) });
  return () => {
    if (readJsonFile(path)?.pid === process.pid) rmSync(path, { force: true });
  };
}

/**
 * The demo running on this machine for this config dir, if any: its URL, its password (demo/.env) and the
 * certificate to trust. A file whose process has ended, or that cannot be read, counts as no demo.
 */
export function findRunningDemo(configDir: string): RunningDemo | undefined {
  const demoDir = demoDirOf(configDir);
  let file: RunningDemoFile | undefined;
  let password: string | undefined;
  try {
    file = readConfigFile(join(demoDir, RUNNING_DEMO_FILE), RunningDemoFile)?.value;
    password = envValue('PEER_SHARED_SECRET', {}, readEnvFile(envFilePath(demoDir)));
  } catch {
    return undefined;
  }
  if (file === undefined || password === undefined || !isRunning(file.pid)) return undefined;
  return { url: file.url, password, ...(file.hub_ca === undefined ? {} : { hubCaPath: file.hub_ca }) };
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it runs, as another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

import { HEAD_AXES, HOME_POSE, HeadPose } from '@neck-signal/protocol';
import { readJsonFile, writeJsonFile } from '@neck-signal/program-kit';

/** Where the agent keeps named poses, in its config dir. */
export const POSES_FILE = 'poses.json';

/** Named head poses (`POSE SAVE NAME`, `POSE GO NAME`), kept in poses.json (written atomically), or in memory. */
export class PoseStore {
  private readonly poses = new Map<string, HeadPose>();

  /** `file` undefined: kept in memory only (tests). */
  constructor(private readonly file?: string) {
    const saved = file === undefined ? undefined : readJsonFile(file);
    for (const [name, value] of Object.entries(saved ?? {})) {
      const pose = asPose(value);
      if (pose) this.poses.set(name, pose);
    }
  }

  get(name: string): HeadPose | undefined {
    const pose = this.poses.get(name);
    return pose ? { ...pose } : undefined;
  }

  save(name: string, pose: Readonly<HeadPose>): void {
    this.poses.set(name, { ...pose });
    if (this.file !== undefined) writeJsonFile(this.file, Object.fromEntries(this.poses));
  }

  get names(): string[] {
    return [...this.poses.keys()].sort();
  }
}

function asPose(value: unknown): HeadPose | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const record = value as Record<string, unknown>;
  const pose: HeadPose = { ...HOME_POSE };
  for (const axis of HEAD_AXES) {
    const number = record[axis];
    if (typeof number !== 'number' || !Number.isFinite(number)) return undefined;
    pose[axis] = number;
  }
  return pose;
}

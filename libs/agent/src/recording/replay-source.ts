import type { RecordedLine } from '../motion/replay-path';
import type { ReplaySource } from '../motion/motion-shaper';
import type { Recorder } from './recorder';
import type { RecordingCatalog } from './recording-catalog';

/** Replays from the agent's own recordings; the one being written is cut first, so that all of it is readable. */
export class RecordingReplaySource implements ReplaySource {
  constructor(
    private readonly catalog: RecordingCatalog,
    private readonly recorder: Recorder | undefined,
  ) {}

  async lines(id: string): Promise<RecordedLine[]> {
    if (this.recorder && id === this.recorder.currentId) await this.recorder.cut();
    return this.catalog.writes(id);
  }
}

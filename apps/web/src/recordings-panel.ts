import { RecordingsRequester } from '@neck-signal/hub-client';
import type { HubClient } from '@neck-signal/hub-client';
import type { NeckStatusDeliveryDto, RecordingInfoDto } from '@neck-signal/protocol';
import type { SendOutcome } from './command-sender';
import { html, showError } from './dom';

/**
 * The chosen neck's recordings (MCAP): listed on demand, each downloadable (chunk by chunk through the hub, with
 * its progress) and replayable (`REPLAY ID`, played by the agent, whose neck_status says how far it got; STOP
 * ends it). Operators only: the hub refuses observers.
 */
export class RecordingsPanel {
  private client: HubClient | undefined;

  constructor(
    private readonly elements: {
      list: HTMLUListElement;
      refresh: HTMLButtonElement;
      status: HTMLElement;
      error: HTMLElement;
      /** Where the neck's replay is, with a button that stops it. */
      replay: HTMLElement;
      replayText: HTMLElement;
      replayStop: HTMLButtonElement;
    },
    /** The sid of the neck to ask: the chosen one, else the one shown. */
    private readonly neck: () => string | undefined,
    private readonly send: (line: string) => SendOutcome,
  ) {
    elements.refresh.addEventListener('click', () => void this.refresh());
    elements.replayStop.addEventListener('click', () => {
      const outcome = this.send('STOP');
      showError(this.elements.error, outcome.ok ? '' : outcome.error);
    });
  }

  /** The shown neck's replay, as its agent reports it: under way (with Stop), or how the last one ended. */
  showReplay(status: NeckStatusDeliveryDto | undefined): void {
    const replay = status?.replay;
    this.elements.replay.hidden = replay === undefined;
    if (!replay) return;
    const percent = Math.floor((replay.atMs / Math.max(1, replay.totalMs)) * 100);
    const where = `${(replay.atMs / 1000).toFixed(1)} s of ${(replay.totalMs / 1000).toFixed(1)} s (${percent}%)`;
    const ended = { applied: 'played to its end', superseded: 'ended by a newer move', rejected: 'stopped' } as const;
    this.elements.replayText.textContent =
      replay.state === 'playing'
        ? `Replaying ${replay.id} for ${replay.by}: ${where}`
        : `Replay of ${replay.id} ${ended[replay.state]} at ${where}`;
    this.elements.replayStop.hidden = replay.state !== 'playing';
  }

  use(client: HubClient | undefined): void {
    this.client = client;
    this.elements.list.replaceChildren();
    this.elements.status.textContent = '';
  }

  private requester(): RecordingsRequester | undefined {
    const neck = this.neck();
    if (!this.client || neck === undefined) {
      showError(this.elements.error, 'no neck to ask: wait for one to connect, or choose one');
      return undefined;
    }
    return new RecordingsRequester(this.client, neck);
  }

  private async refresh(): Promise<void> {
    const requester = this.requester();
    if (!requester) return;
    showError(this.elements.error, '');
    this.elements.status.textContent = 'asking the neck…';
    try {
      const { recordings, more } = await requester.list();
      this.elements.list.replaceChildren(...[...recordings].reverse().map((recording) => this.item(recording)));
      this.elements.status.textContent =
        recordings.length === 0 ? 'no recordings' : more > 0 ? `(${more} older not listed)` : '';
    } catch (error) {
      this.elements.status.textContent = '';
      showError(this.elements.error, error instanceof Error ? error.message : String(error));
    }
  }

  private item(recording: RecordingInfoDto): HTMLLIElement {
    const state = recording.current ? ', being written' : recording.complete ? '' : ', cut short';
    const text = `${recording.startedAt.replace('T', ' ').slice(0, 19)} · ${(recording.durationMs / 1000).toFixed(1)} s · ${recording.commands} commands · ${(recording.sizeBytes / 1024).toFixed(0)} KB${state}`;
    const download = html('button', 'quiet', 'Download');
    download.type = 'button';
    download.setAttribute('aria-label', `Download ${recording.id}`);
    const replay = html('button', 'quiet', 'Replay');
    replay.type = 'button';
    replay.setAttribute('aria-label', `Replay ${recording.id}`);
    const progress = html('span', 'hint');
    download.addEventListener('click', () => void this.download(recording.id, progress));
    replay.addEventListener('click', () => {
      const outcome = this.send(`REPLAY ${recording.id}`);
      showError(this.elements.error, outcome.ok ? '' : outcome.error);
    });
    const item = html('li', 'recording', html('span', '', text), download, replay, progress);
    item.title = recording.id;
    return item;
  }

  private async download(id: string, progress: HTMLElement): Promise<void> {
    const requester = this.requester();
    if (!requester) return;
    const chunks: Uint8Array<ArrayBuffer>[] = [];
    try {
      await requester.download(
        id,
        (chunk) => {
          chunks.push(new Uint8Array(chunk));
        },
        ({ bytes, totalBytes }) => {
          progress.textContent = `${Math.floor((bytes / Math.max(1, totalBytes)) * 100)}%`;
        },
      );
      const url = URL.createObjectURL(new Blob(chunks, { type: 'application/octet-stream' }));
      const link = html('a');
      link.href = url;
      link.download = `${id}.mcap`;
      link.click();
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
      progress.textContent = 'saved';
    } catch (error) {
      progress.textContent = '';
      showError(this.elements.error, error instanceof Error ? error.message : String(error));
    }
  }
}

import type { HeadPose } from '@neck-signal/protocol/firmware';
import { eulerToQuaternion } from '@neck-signal/protocol/firmware';
import { showError } from './dom';
import type { SendOutcome } from './command-sender';
import { quaternionLine } from './quaternion-form';
import { STREAM_INTERVAL_MS } from './head-sliders';
import { Throttle } from './throttle';

/** Degrees, as DeviceOrientationEvent reports them. */
interface Orientation {
  alpha: number;
  beta: number;
  gamma: number;
}

/** iOS 13+ asks before it reports orientation; `DeviceOrientationEvent.requestPermission` is not in lib.dom. */
function asksPermission(value: object): value is { requestPermission: () => Promise<string> } {
  return 'requestPermission' in value && typeof value.requestPermission === 'function';
}

/**
 * Phone tilt mode: once enabled, the phone's orientation relative to where it was when "Hold to move" went
 * down becomes a stream of quaternion commands (yaw, pitch, roll), rate-limited, for as long as the button is
 * held. Releasing it (pointer up or cancelled, key up, focus lost, page hidden) stops the stream at once:
 * nothing is sent after that.
 */
export class TiltControl {
  private enabled = false;
  private holding = false;
  private latest: Orientation | undefined;
  private reference: Orientation | undefined;
  private heldBecause: string | undefined;
  private readonly stream = new Throttle(STREAM_INTERVAL_MS, () => this.flush());
  private readonly onOrientation = (event: DeviceOrientationEvent) => this.orientation(event);

  constructor(
    private readonly enableButton: HTMLButtonElement,
    private readonly holdButton: HTMLButtonElement,
    private readonly readout: HTMLElement,
    private readonly error: HTMLElement,
    private readonly pose: () => HeadPose,
    private readonly send: (line: string) => SendOutcome,
  ) {
    enableButton.addEventListener('click', () => void this.toggle());
    holdButton.disabled = true;
    holdButton.addEventListener('pointerdown', (event) => {
      if (event.button !== 0) return;
      holdButton.setPointerCapture(event.pointerId);
      this.start();
    });
    for (const type of ['pointerup', 'pointercancel', 'lostpointercapture', 'blur'] as const) {
      holdButton.addEventListener(type, () => this.stop());
    }
    holdButton.addEventListener('keydown', (event) => {
      if (event.key !== ' ' && event.key !== 'Enter') return;
      event.preventDefault();
      if (!event.repeat) this.start();
    });
    holdButton.addEventListener('keyup', (event) => {
      if (event.key === ' ' || event.key === 'Enter') this.stop();
    });
    // A long press opens the context menu on phones.
    holdButton.addEventListener('contextmenu', (event) => event.preventDefault());
    window.addEventListener('blur', () => this.stop());
    document.addEventListener('visibilitychange', () => {
      if (document.hidden) this.stop();
    });
  }

  /** Stops streaming and listening (logging out). */
  disable(): void {
    this.stop();
    this.enabled = false;
    window.removeEventListener('deviceorientation', this.onOrientation);
    this.enableButton.setAttribute('aria-pressed', 'false');
    this.holdButton.disabled = true;
  }

  private async toggle(): Promise<void> {
    if (this.enabled) {
      this.disable();
      return;
    }
    if (typeof DeviceOrientationEvent === 'undefined') {
      showError(this.error, 'this browser reports no device orientation; use a phone or tablet');
      return;
    }
    if (asksPermission(DeviceOrientationEvent)) {
      let answer: string;
      try {
        answer = await DeviceOrientationEvent.requestPermission();
      } catch (error) {
        answer = error instanceof Error ? error.message : String(error);
      }
      if (answer !== 'granted') {
        showError(this.error, `motion and orientation access was not granted (${answer}); allow it and try again`);
        return;
      }
    }
    showError(this.error, '');
    this.enabled = true;
    window.addEventListener('deviceorientation', this.onOrientation);
    this.enableButton.setAttribute('aria-pressed', 'true');
    this.holdButton.disabled = false;
    this.readout.textContent = 'waiting for the orientation sensor…';
  }

  private start(): void {
    if (!this.enabled || this.holding) return;
    this.holding = true;
    this.reference = this.latest;
    this.holdButton.classList.add('holding');
    this.holdButton.setAttribute('aria-pressed', 'true');
  }

  private stop(): void {
    this.stream.cancel();
    if (!this.holding) return;
    this.holding = false;
    this.reference = undefined;
    this.holdButton.classList.remove('holding');
    this.holdButton.setAttribute('aria-pressed', 'false');
  }

  private orientation(event: DeviceOrientationEvent): void {
    const { alpha, beta, gamma } = event;
    if (alpha === null || beta === null || gamma === null) return;
    this.latest = { alpha, beta, gamma };
    const { yaw, pitch, roll } = this.relative(this.latest);
    this.readout.textContent = `yaw ${yaw.toFixed(0)}°, pitch ${pitch.toFixed(0)}°, roll ${roll.toFixed(0)}°`;
    if (!this.holding) return;
    this.reference ??= this.latest;
    this.stream.request();
  }

  /** While the neck cannot read (booting, homing) the tilt streams nothing; the latest tilt goes out after. */
  hold(reason: string | undefined): void {
    if (reason === this.heldBecause) return;
    const released = this.heldBecause !== undefined && reason === undefined;
    this.heldBecause = reason;
    showError(this.error, reason ?? '');
    if (released && this.holding) this.stream.request();
  }

  private flush(): void {
    if (!this.holding || !this.latest || this.heldBecause !== undefined) return;
    const { yaw, pitch, roll } = this.relative(this.latest);
    const outcome = this.send(quaternionLine(eulerToQuaternion(yaw, pitch, roll), this.pose()));
    showError(this.error, outcome.ok ? '' : outcome.error);
  }

  /** Turn since "Hold to move" went down, each angle in −180…180°; pitch short of ±90°, where the firmware fails. */
  private relative(now: Orientation): { yaw: number; pitch: number; roll: number } {
    const from = this.reference ?? now;
    return {
      yaw: wrap(now.alpha - from.alpha),
      pitch: Math.max(-MAX_PITCH_DEG, Math.min(MAX_PITCH_DEG, wrap(now.beta - from.beta))),
      roll: wrap(now.gamma - from.gamma),
    };
  }
}

/** The grammar refuses a quaternion pitch within 1° of ±90° (the firmware computes NaN there). */
const MAX_PITCH_DEG = 85;

function wrap(degrees: number): number {
  return ((((degrees + 180) % 360) + 360) % 360) - 180;
}

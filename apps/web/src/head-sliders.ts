import type { HeadAxis, HeadPose } from '@neck-signal/protocol/firmware';
import { DEFAULT_NECK_LIMITS, HOME_POSE, formatNumber } from '@neck-signal/protocol/firmware';
import type { SendOutcome } from './command-sender';
import { html, showError } from './dom';
import { Throttle } from './throttle';

/** At most 50 head commands a second while a slider moves. */
export const STREAM_INTERVAL_MS = 20;
/** After a slider moved, the neck's reported pose does not move it back for this long (its status lags). */
const SETTLE_MS = 1000;

interface SliderSpec {
  axis: HeadAxis;
  label: string;
  step: number;
}

/** In the order the page shows them; ranges are the firmware's (DEFAULT_NECK_LIMITS). */
const SLIDERS: readonly SliderSpec[] = [
  { axis: 'X', label: 'X · yaw', step: 1 },
  { axis: 'Y', label: 'Y · pitch', step: 1 },
  { axis: 'Z', label: 'Z · roll', step: 1 },
  { axis: 'R', label: 'R', step: 1 },
  { axis: 'P', label: 'P', step: 1 },
  { axis: 'H', label: 'H · height', step: 1 },
  { axis: 'S', label: 'S · speed', step: 0.01 },
  { axis: 'A', label: 'A · accel', step: 0.1 },
];

interface Slider {
  input: HTMLInputElement;
  output: HTMLOutputElement;
}

/**
 * Sliders for the head axes. Dragging one streams head commands carrying the axes that moved since the last
 * command (the agent merges them into the full pose), at most one every STREAM_INTERVAL_MS, the newest values
 * last. When nothing moves they follow the pose the neck reports.
 */
export class HeadSliders {
  private readonly sliders = new Map<HeadAxis, Slider>();
  private readonly moved = new Set<HeadAxis>();
  private readonly stream: Throttle;
  private lastMoveAt = Number.NEGATIVE_INFINITY;
  private heldBecause: string | undefined;
  private readonly listeners = new Set<() => void>();

  constructor(
    container: HTMLElement,
    private readonly error: HTMLElement,
    private readonly send: (line: string) => SendOutcome,
  ) {
    this.stream = new Throttle(STREAM_INTERVAL_MS, () => this.flush());
    for (const spec of SLIDERS) container.append(this.create(spec));
  }

  /** The pose the sliders show. */
  pose(): HeadPose {
    const pose: HeadPose = { ...HOME_POSE };
    for (const [axis, slider] of this.sliders) pose[axis] = Number(slider.input.value);
    return pose;
  }

  /** Moves the sliders to a reported pose, unless the user is moving them. */
  follow(pose: Readonly<HeadPose>): void {
    if (performance.now() - this.lastMoveAt < SETTLE_MS || this.moved.size > 0) return;
    // The neck's pose is where it is told to go, not where the sliders wait to send it.
    for (const [axis, slider] of this.sliders) this.show(slider, pose[axis]);
    this.changed();
  }

  /**
   * While the neck cannot read (booting, homing) nothing is sent: the page says why and keeps the sliders'
   * pose, which goes out the moment `hold(undefined)` says the neck is ready.
   */
  hold(reason: string | undefined): void {
    if (reason === this.heldBecause) return;
    this.heldBecause = reason;
    if (reason === undefined) {
      showError(this.error, '');
      this.stream.request();
    } else if (this.moved.size > 0) {
      showError(this.error, reason);
    }
  }

  /** Called whenever the sliders' pose changes. */
  onChange(listener: () => void): void {
    this.listeners.add(listener);
  }

  private create(spec: SliderSpec): HTMLElement {
    const range = DEFAULT_NECK_LIMITS[spec.axis];
    const id = `slider-${spec.axis}`;
    const input = html('input');
    input.type = 'range';
    input.id = id;
    // S and A must be above 0 (the stepper driver refuses 0): the slider starts one step up.
    input.min = String(range.minExclusive ? range.min + spec.step : range.min);
    input.max = String(range.max);
    input.step = String(spec.step);
    // The slider itself exposes its value; the number beside it is for the eye only.
    const output = html('output', 'slider-value');
    output.setAttribute('aria-hidden', 'true');
    output.htmlFor.add(id);
    const label = html('label', 'slider-label', spec.label);
    label.htmlFor = id;
    const slider = { input, output };
    this.sliders.set(spec.axis, slider);
    this.show(slider, HOME_POSE[spec.axis]);
    input.addEventListener('input', () => this.moveAxis(spec.axis));
    return html('div', 'slider', label, input, output);
  }

  private moveAxis(axis: HeadAxis): void {
    const slider = this.sliders.get(axis);
    if (!slider) return;
    this.show(slider, Number(slider.input.value));
    this.moved.add(axis);
    this.lastMoveAt = performance.now();
    this.stream.request();
    this.changed();
  }

  /** Sends the axes moved since the last command, with their current values. */
  private flush(): void {
    if (this.moved.size === 0) return;
    if (this.heldBecause !== undefined) {
      showError(this.error, this.heldBecause);
      return;
    }
    const pose = this.pose();
    const line = [...this.moved].map((axis) => `${axis}${formatNumber(pose[axis])}`).join(',');
    this.moved.clear();
    const outcome = this.send(line);
    showError(this.error, outcome.ok ? '' : outcome.error);
  }

  private show(slider: Slider, value: number): void {
    slider.input.value = String(value);
    slider.output.value = formatNumber(Number(slider.input.value));
  }

  private changed(): void {
    for (const listener of [...this.listeners]) listener();
  }
}

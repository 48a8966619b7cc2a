import type { HeadAxis, HeadPose } from '@neck-signal/protocol/firmware';
import { DEFAULT_NECK_LIMITS, HOME_POSE, formatNumber } from '@neck-signal/protocol/firmware';
import type { Send } from './command-sender';
import { html, showError } from './dom';
import { FineDrag } from './fine-drag';
import { Throttle } from './throttle';

/** At most 50 head commands a second while a slider moves. */
export const STREAM_INTERVAL_MS = 20;
/** After a slider moved, the neck's reported pose does not move it back for this long (its status lags). */
const SETTLE_MS = 1000;

export interface SliderSpec {
  axis: HeadAxis;
  /** What the axis does, in the firmware's own words (its moveHead comments, docs/firmware.md). */
  label: string;
  unit: string;
  step: number;
  /** How far a drag moves the value per pixel: fine enough that a flick cannot throw the head across its range. */
  perPx: number;
}

/**
 * In the order the page shows them: the three turns, the three shifts, then speed and acceleration. Ranges are
 * the firmware's (DEFAULT_NECK_LIMITS). X…P are firmware units: one moves each actuator 10 steps (0.025 mm).
 */
export const SLIDERS: readonly SliderSpec[] = [
  { axis: 'X', label: 'X · yaw', unit: 'u', step: 1, perPx: 1 },
  { axis: 'P', label: 'P · pitch', unit: 'u', step: 1, perPx: 1 },
  { axis: 'R', label: 'R · roll', unit: 'u', step: 1, perPx: 1 },
  { axis: 'Y', label: 'Y · lateral', unit: 'u', step: 1, perPx: 1 },
  { axis: 'Z', label: 'Z · front/back', unit: 'u', step: 1, perPx: 1 },
  { axis: 'H', label: 'H · height', unit: 'mm', step: 1, perPx: 0.1 },
  { axis: 'S', label: 'S · speed', unit: '×', step: 0.01, perPx: 0.005 },
  { axis: 'A', label: 'A · accel', unit: '×', step: 0.1, perPx: 0.02 },
];

interface Slider {
  spec: SliderSpec;
  input: HTMLInputElement;
  field: HTMLInputElement;
  drag: FineDrag;
}

/**
 * Sliders for the head axes, each with a number field. Moving one streams head commands carrying the axes that
 * moved since the last command (the agent merges them into the full pose), at most one every STREAM_INTERVAL_MS,
 * the newest values last. They show what the neck last accepted: when nothing moves they follow the pose it
 * reports, and a refused command puts them back there at once.
 */
export class HeadSliders {
  private readonly sliders = new Map<HeadAxis, Slider>();
  private readonly moved = new Set<HeadAxis>();
  private readonly stream: Throttle;
  private lastMoveAt = Number.NEGATIVE_INFINITY;
  private heldBecause: string | undefined;
  /** The pose the neck last reported: what it accepted. */
  private accepted: HeadPose = { ...HOME_POSE };
  private readonly listeners = new Set<() => void>();

  constructor(
    container: HTMLElement,
    private readonly error: HTMLElement,
    private readonly send: Send,
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

  /** Takes a reported pose as the accepted one, and shows it unless the user is moving the sliders. */
  follow(pose: Readonly<HeadPose>): void {
    this.accepted = { ...pose };
    const dragging = [...this.sliders.values()].some((slider) => slider.drag.dragging);
    if (dragging || performance.now() - this.lastMoveAt < SETTLE_MS || this.moved.size > 0) return;
    // The neck's pose is where it is told to go, not where the sliders wait to send it.
    this.showAccepted();
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
    // S and A must be above 0 (the stepper driver refuses 0): the slider starts one step up.
    const min = range.minExclusive ? range.min + spec.step : range.min;
    const input = html('input');
    input.type = 'range';
    input.id = id;
    input.min = String(min);
    input.max = String(range.max);
    input.step = String(spec.step);
    input.setAttribute('aria-describedby', 'head-units');
    const field = html('input', 'slider-field');
    field.type = 'number';
    field.inputMode = spec.step < 1 ? 'decimal' : 'numeric';
    field.min = input.min;
    field.max = input.max;
    field.step = input.step;
    field.setAttribute('aria-label', `${spec.label} (${spec.unit}), exact value`);
    const label = html('label', 'slider-label', spec.label);
    label.htmlFor = id;
    const drag = new FineDrag(input, spec.perPx, (value) => this.moveAxis(spec.axis, value));
    const slider = { spec, input, field, drag };
    this.sliders.set(spec.axis, slider);
    this.show(slider, HOME_POSE[spec.axis]);
    input.addEventListener('input', () => this.moveAxis(spec.axis, Number(input.value)));
    field.addEventListener('change', () => this.typed(slider));
    return html('div', 'slider head-slider', label, input, field, html('span', 'slider-unit', spec.unit));
  }

  /** A value typed in the number field: sent when it is one the firmware takes, else refused with the reason. */
  private typed(slider: Slider): void {
    const { spec, input, field } = slider;
    const value = Number(field.value);
    const [min, max] = [Number(input.min), Number(input.max)];
    const onStep = spec.step < 1 || Number.isInteger(value);
    if (field.value.trim() === '' || !Number.isFinite(value) || value < min || value > max || !onStep) {
      const kind = spec.step < 1 ? 'a number' : 'a whole number';
      showError(this.error, `${spec.label}: ${kind} from ${formatNumber(min)} to ${formatNumber(max)}, please`);
      field.value = input.value;
      return;
    }
    showError(this.error, '');
    this.moveAxis(spec.axis, value);
  }

  private moveAxis(axis: HeadAxis, value: number): void {
    const slider = this.sliders.get(axis);
    if (!slider) return;
    this.show(slider, value);
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
    const outcome = this.send(line, (how) => {
      if (how === 'refused') this.snapBack();
    });
    showError(this.error, outcome.ok ? '' : outcome.error);
    if (!outcome.ok) this.snapBack();
  }

  /** A move was refused: the sliders go back to what the neck accepted, and a drag goes on from there. */
  private snapBack(): void {
    this.stream.cancel();
    this.moved.clear();
    this.lastMoveAt = Number.NEGATIVE_INFINITY;
    this.showAccepted();
  }

  private showAccepted(): void {
    for (const [axis, slider] of this.sliders) {
      this.show(slider, this.accepted[axis]);
      slider.drag.rebase(this.accepted[axis]);
    }
    this.changed();
  }

  private show(slider: Slider, value: number): void {
    slider.input.value = String(value);
    // The range input rounds to its step and range; the field shows what it holds.
    if (document.activeElement !== slider.field) slider.field.value = formatNumber(Number(slider.input.value));
  }

  private changed(): void {
    for (const listener of [...this.listeners]) listener();
  }
}

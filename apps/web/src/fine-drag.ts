/** A slider's range and step, as its `<input type=range>` has them. */
export interface SliderRange {
  readonly min: number;
  readonly max: number;
  readonly step: number;
}

/**
 * The value a relative drag gives: where it started, moved by `perPx` for each pixel the pointer went right (left
 * is negative), rounded to the step and kept in the range. The pointer's speed plays no part: an 80-px flick moves
 * X by 80 units at 1 unit a pixel, however fast.
 */
export function dragValue(start: number, dx: number, perPx: number, range: SliderRange): number {
  const steps = Math.round((start + dx * perPx - range.min) / range.step);
  const value = range.min + steps * range.step;
  // Round away float noise (0.1 * 3 = 0.30000000000000004) at the step's own precision.
  const decimals = (String(range.step).split('.')[1] ?? '').length;
  return Math.min(range.max, Math.max(range.min, Number(value.toFixed(decimals))));
}

/**
 * Fine control for a range input: a press does not jump the value to where it landed, and a drag moves the value
 * by `perPx` a pixel from where it was (see dragValue), with the pointer captured so the drag may leave the
 * track. The keyboard and assistive technology keep the input's own behaviour (arrow keys one step, Page Up/Down
 * a tenth of the range).
 */
export class FineDrag {
  private origin: { x: number; value: number; pointer: number } | undefined;
  private lastX = 0;

  constructor(
    private readonly input: HTMLInputElement,
    private readonly perPx: number,
    /** Called with each new value while dragging. */
    private readonly onValue: (value: number) => void,
  ) {
    input.addEventListener('pointerdown', (event) => this.down(event));
    input.addEventListener('pointermove', (event) => this.move(event));
    input.addEventListener('pointerup', (event) => this.up(event));
    input.addEventListener('pointercancel', (event) => this.up(event));
    // A touch would otherwise move the thumb natively, under the finger.
    input.addEventListener('touchstart', (event) => event.preventDefault(), { passive: false });
  }

  /** Whether a drag is under way. */
  get dragging(): boolean {
    return this.origin !== undefined;
  }

  /** The value changed under a drag (the neck refused a move): the drag goes on from `value` where the pointer is. */
  rebase(value: number): void {
    if (this.origin) this.origin = { ...this.origin, x: this.lastX, value };
  }

  private down(event: PointerEvent): void {
    if (event.button !== 0) return;
    // Keeps the input from jumping to the press and from its own drag (its mouse events follow pointerdown's).
    event.preventDefault();
    this.input.focus();
    this.input.setPointerCapture(event.pointerId);
    this.lastX = event.clientX;
    this.origin = { x: event.clientX, value: Number(this.input.value), pointer: event.pointerId };
  }

  private move(event: PointerEvent): void {
    const origin = this.origin;
    if (!origin || event.pointerId !== origin.pointer) return;
    this.lastX = event.clientX;
    const range = { min: Number(this.input.min), max: Number(this.input.max), step: Number(this.input.step) };
    const value = dragValue(origin.value, event.clientX - origin.x, this.perPx, range);
    if (value !== Number(this.input.value)) this.onValue(value);
  }

  private up(event: PointerEvent): void {
    if (!this.origin || event.pointerId !== this.origin.pointer) return;
    this.origin = undefined;
    if (this.input.hasPointerCapture(event.pointerId)) this.input.releasePointerCapture(event.pointerId);
  }
}

import { ControlHolderDto } from '@neck-signal/protocol';

/** An operator, as the agent knows it: its uuid and the sid the command came from. */
export interface Operator {
  readonly uuid: string;
  readonly sid: string;
}

/** Default time control lasts without motion from its holder, ms. */
export const DEFAULT_LEASE_MS = 2000;

/**
 * Who may move the neck. The first operator to move holds control; every motion of the holder renews it; it
 * lapses `leaseMs` after the holder's last motion, or when the holder leaves; until then others are refused.
 * TAKE hands it over at once, YIELD gives it up. Operators are told apart by uuid (the same person on a new
 * connection keeps control); the sid only says where the holder last moved from.
 */
export class ControlLease {
  private current: { holder: Operator; lastMotionAt: number } | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    readonly leaseMs: number,
    /** Called when the holder changes (taken, lapsed, given up, left). */
    private readonly changed: () => void,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** The operator holding control, or null. */
  get holder(): ControlHolderDto | null {
    return this.current ? { ...this.current.holder } : null;
  }

  /** Who holds control when `operator` wants to move, or undefined when it may (free, or its own). */
  heldAgainst(operator: Operator): Operator | undefined {
    const current = this.current;
    if (!current || current.holder.uuid === operator.uuid) return undefined;
    return current.holder;
  }

  /** `operator` moved the neck (it may): it takes control if free, and renews it. */
  moved(operator: Operator): void {
    const changed = this.current?.holder.uuid !== operator.uuid || this.current.holder.sid !== operator.sid;
    this.current = { holder: operator, lastMotionAt: this.now() };
    this.arm();
    if (changed) this.changed();
  }

  /** TAKE: `operator` holds control from now, whoever held it; returns the one who lost it, if any. */
  take(operator: Operator): Operator | undefined {
    const previous = this.current?.holder;
    this.moved(operator);
    return previous && previous.uuid !== operator.uuid ? previous : undefined;
  }

  /** YIELD: `operator` gives its control up; false when it did not hold it. */
  yield(operator: Operator): boolean {
    if (this.current?.holder.uuid !== operator.uuid) return false;
    this.clear();
    return true;
  }

  /** A peer left: if it was where the holder moved from, control is free. */
  left(sid: string): void {
    if (this.current?.holder.sid === sid) this.clear();
  }

  /** Nobody holds control (STOP, the port going down, the agent stopping). */
  clear(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (!this.current) return;
    this.current = undefined;
    this.changed();
  }

  private arm(): void {
    clearTimeout(this.timer);
    const current = this.current;
    if (!current) return;
    const due = current.lastMotionAt + this.leaseMs - this.now();
    this.timer = setTimeout(() => this.lapse(), Math.max(0, due));
    this.timer.unref();
  }

  private lapse(): void {
    const current = this.current;
    if (!current) return;
    if (this.now() - current.lastMotionAt >= this.leaseMs) this.clear();
    else this.arm();
  }
}

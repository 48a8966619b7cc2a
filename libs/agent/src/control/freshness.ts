import { NeckCommand, isPoseCommand, partsOf } from '@neck-signal/protocol';

/** Default: a pose later than its sender's usual by more than this is dropped, ms. */
export const DEFAULT_STALE_AFTER_MS = 250;
/** How long an observed delay counts towards a sender's usual one, ms. */
const BASELINE_WINDOW_MS = 30_000;
/** Late poses in a row that arrive spread out as they were sent mean the sender's clock stepped back. */
const CLOCK_STEP_SAMPLES = 20;

interface Sample {
  /** Arrival − stamp, ms: the sender's clock offset plus this message's delay. */
  readonly offset: number;
  readonly at: number;
  readonly sentAt: number;
}

interface Sender {
  /** Fresh samples of the window whose offsets rise from front to back: the front is the window's smallest. */
  minima: Sample[];
  /** Late poses in a row, to tell a stepped clock from a burst of old ones. */
  late: Sample[];
}

/** A pose's verdict: fresh, or late by `lateByMs` beyond its sender's usual delay. */
export type Freshness = { readonly fresh: true } | { readonly fresh: false; readonly lateByMs: number };

/**
 * Tells a late pose without synchronised clocks. Each sender stamps its commands with its own clock; the
 * difference arrival − stamp is its clock offset plus the delay. The smallest such difference over the last
 * 30 s is the sender's usual (offset + fastest delay); a pose arriving more than `staleAfterMs` above it was held
 * up somewhere (a frozen hub, a link that black-holed and came back, a client that buffered) and is dropped.
 * A sender whose clock steps back (NTP) would look late for good: when 20 late poses in a row arrive as spread
 * out as they were sent, and not in a burst, its usual is measured again.
 */
export class FreshnessGate {
  private readonly senders = new Map<string, Sender>();

  constructor(
    readonly staleAfterMs: number,
    private readonly now: () => number = () => Date.now(),
  ) {}

  /** Learns from a stamped command of `sender` and judges it; commands without a stamp are fresh. */
  judge(sender: string, sentAt: number | undefined): Freshness {
    if (sentAt === undefined) return { fresh: true };
    const at = this.now();
    const sample: Sample = { offset: at - sentAt, at, sentAt };
    const state = this.senders.get(sender) ?? { minima: [], late: [] };
    this.senders.set(sender, state);
    while (state.minima.length > 0 && at - state.minima[0].at > BASELINE_WINDOW_MS) state.minima.shift();
    const usual = Math.min(sample.offset, state.minima[0]?.offset ?? Infinity);
    const lateByMs = sample.offset - usual;
    if (lateByMs <= this.staleAfterMs) {
      remember(state.minima, sample);
      state.late = [];
      return { fresh: true };
    }
    state.late.push(sample);
    if (this.clockStepped(state.late)) {
      state.minima = [];
      for (const late of state.late) remember(state.minima, late);
      state.late = [];
      return { fresh: true };
    }
    return { fresh: false, lateByMs: Math.round(lateByMs) };
  }

  /** Forgets a sender that left. */
  forget(sender: string): void {
    this.senders.delete(sender);
  }

  private clockStepped(late: readonly Sample[]): boolean {
    if (late.length < CLOCK_STEP_SAMPLES) return false;
    const first = late[0];
    const last = late[late.length - 1];
    const sentSpan = last.sentAt - first.sentAt;
    const arrivedSpan = last.at - first.at;
    // A burst of held-up poses arrives all at once; a stepped clock's poses arrive at the pace they were sent.
    return sentSpan >= 1000 && arrivedSpan >= 0.8 * sentSpan;
  }
}

/**
 * Whether the freshness gate judges this command by its stamp: any command that contains a pose, compound or not
 * (`X60|Y10`, `HOME_SOFT|X10`), since a late one moves the neck to where its sender was. Discrete commands
 * (HOME, actuator lengths, HEALTH) are never dropped as stale.
 */
export function judgedByStamp(command: NeckCommand): boolean {
  return partsOf(command).some(isPoseCommand);
}

/** Adds a sample to the window's minima: those it undercuts can never be the smallest again. */
function remember(minima: Sample[], sample: Sample): void {
  while (minima.length > 0 && minima[minima.length - 1].offset >= sample.offset) minima.pop();
  minima.push(sample);
}

import type { HeadPose } from '@neck-signal/protocol/firmware';
import { eulerToQuaternion } from '@neck-signal/protocol/firmware';
import type { SendOutcome } from './command-sender';
import { html, showError } from './dom';
import { quaternionLine } from './quaternion-form';
import { ChangedLines } from './throttle';
import {
  DEFAULT_TILT_SETTINGS,
  BETA_RANGE,
  GAIN_RANGE,
  MIN_CUTOFF_RANGE,
  TILT_AXES,
  TiltSmoother,
  parseTiltSettings,
  shapeTilt,
  turnFrom,
  type Orientation,
  type TiltAngles,
  type TiltSettings,
} from './tilt-math';

/** At most one tilt command every 50 ms (20 a second): a head cannot follow faster, and the link stays light. */
export const TILT_INTERVAL_MS = 50;
/** With no orientation reading this long after tilt was turned on, the panel says what may be wrong. */
const NO_READING_HINT_MS = 2000;
/** Where the tilt settings live in the browser. */
const SETTINGS_KEY = 'neck-signal.tilt';

/** iOS 13+ (and Chromium) ask before they report orientation; `requestPermission` is not in lib.dom. */
const SENSORLESS = 'This device reports no motion sensors (a laptop?): tilt steers the head from a phone or a tablet.';

function asksPermission(value: object): value is { requestPermission: () => Promise<string> } {
  return 'requestPermission' in value && typeof value.requestPermission === 'function';
}

export interface TiltElements {
  enable: HTMLButtonElement;
  center: HTMLButtonElement;
  hold: HTMLButtonElement;
  /** Says what tilt needs (HTTPS, a permission, a sensor) or what it does. */
  status: HTMLElement;
  readout: HTMLElement;
  error: HTMLElement;
  /** Where the gain, inversion and smoothing controls go. */
  settings: HTMLElement;
}

/**
 * Phone tilt. Once on, the phone's turn from its zero (Center, else where it was when "Hold to move" went down)
 * becomes quaternion commands — scaled, inverted and smoothed as the settings say, clamped to what a neck takes —
 * sent at most every TILT_INTERVAL_MS and only when the line changes (ChangedLines), while the button is held.
 * Releasing it (pointer up or cancelled, key up, focus lost, page hidden, connection lost) stops at once: nothing
 * is sent after that. The panel says what is missing when tilt cannot work: a secure page, a permission, a sensor.
 */
export class TiltControl {
  private enabled = false;
  private holding = false;
  private latest: Orientation | undefined;
  /** The orientation Center took as zero; undefined: the orientation at each press. */
  private centered: Orientation | undefined;
  private zero: Orientation | undefined;
  private heldBecause: string | undefined;
  /** The browser gave the motion sensors (iOS, Chromium ask first: DeviceOrientationEvent.requestPermission). */
  private granted = false;
  private noReadingTimer: ReturnType<typeof setTimeout> | undefined;
  /** The browser said this device has no motion sensor (a laptop): one orientation event, all of it null. */
  private sensorless = false;
  private settings: TiltSettings;
  private readonly smoother = new TiltSmoother(() => this.settings);
  private readonly stream = new ChangedLines(TILT_INTERVAL_MS, (line) => this.sendLine(line));
  private readonly onOrientation = (event: DeviceOrientationEvent) => this.orientation(event);

  constructor(
    private readonly elements: TiltElements,
    private readonly pose: () => HeadPose,
    private readonly send: (line: string) => SendOutcome,
  ) {
    this.settings = loadSettings();
    const { enable, center, hold } = elements;
    enable.addEventListener('click', () => void this.toggle());
    center.addEventListener('click', () => this.center());
    hold.addEventListener('pointerdown', (event) => {
      if (event.button !== 0) return;
      hold.setPointerCapture(event.pointerId);
      this.start();
    });
    for (const type of ['pointerup', 'pointercancel', 'lostpointercapture', 'blur'] as const) {
      hold.addEventListener(type, () => this.stop());
    }
    hold.addEventListener('keydown', (event) => {
      if (event.key !== ' ' && event.key !== 'Enter') return;
      event.preventDefault();
      if (!event.repeat) this.start();
    });
    hold.addEventListener('keyup', (event) => {
      if (event.key === ' ' || event.key === 'Enter') this.stop();
    });
    // A long press opens the context menu on phones.
    hold.addEventListener('contextmenu', (event) => event.preventDefault());
    window.addEventListener('blur', () => this.stop());
    document.addEventListener('visibilitychange', () => {
      if (document.hidden) this.stop();
    });
    this.buildSettings();
    this.probeSensors();
    this.showAvailability();
  }

  /**
   * Chromium answers a listener on a device without motion sensors with one event whose angles are all null
   * (the spec's "cannot provide orientation data"); a phone sends readings, and iOS nothing before permission.
   */
  private probeSensors(): void {
    if (typeof DeviceOrientationEvent === 'undefined' || !window.isSecureContext) return;
    const probe = (event: DeviceOrientationEvent) => {
      window.removeEventListener('deviceorientation', probe);
      this.sensorless = event.alpha === null && event.beta === null && event.gamma === null;
      // Once tilt is on, its own status (readings, or none yet) says more.
      if (!this.enabled) this.showAvailability();
    };
    window.addEventListener('deviceorientation', probe);
  }

  /** Stops streaming and listening (logging out). */
  disable(): void {
    this.stop();
    this.enabled = false;
    clearTimeout(this.noReadingTimer);
    window.removeEventListener('deviceorientation', this.onOrientation);
    this.elements.readout.textContent = 'Off';
    this.showAvailability();
  }

  /** Ends a hold at once, saying why (the connection dropped). */
  release(reason: string): void {
    if (!this.holding) return;
    this.stop();
    showError(this.elements.error, `tilt stopped: ${reason}`);
  }

  /**
   * While the neck cannot read (booting, homing) the tilt streams nothing, and says so while tilt is on; the latest
   * tilt goes out after.
   */
  hold(reason: string | undefined): void {
    if (reason === this.heldBecause) return;
    const released = this.heldBecause !== undefined && reason === undefined;
    this.heldBecause = reason;
    if (this.enabled || released) showError(this.elements.error, reason ?? '');
    if (released && this.holding) this.stream.resume();
  }

  /** What this browser lets tilt do, on the enable button and in the status line. */
  private showAvailability(): void {
    const { enable, center, hold, status } = this.elements;
    center.disabled = !this.enabled;
    hold.disabled = !this.enabled;
    enable.setAttribute('aria-pressed', String(this.enabled));
    if (!window.isSecureContext) {
      enable.disabled = true;
      status.textContent =
        'Tilt needs this page over HTTPS: phones share their motion sensors with secure pages only. Open it as ' +
        'https://… (npm start -- --lan, neck-hub --https, or the tunnel).';
      return;
    }
    if (typeof DeviceOrientationEvent === 'undefined') {
      enable.disabled = true;
      status.textContent = 'This browser reports no orientation: use a phone or a tablet.';
      return;
    }
    enable.disabled = false;
    if (this.enabled) {
      enable.textContent = 'Use tilt';
      status.textContent = 'Hold the button and tilt the phone; the head follows. Let go to stop.';
    } else if (asksPermission(DeviceOrientationEvent) && !this.granted) {
      enable.textContent = 'Allow motion sensors';
      status.textContent = this.sensorless
        ? SENSORLESS
        : 'This browser asks before it shares the motion sensors: allow them to use tilt.';
    } else if (this.sensorless) {
      enable.textContent = 'Use tilt';
      status.textContent = SENSORLESS;
    } else {
      enable.textContent = 'Use tilt';
      status.textContent = 'Turn tilt on, then hold the button and tilt the phone; the head follows.';
    }
  }

  private async toggle(): Promise<void> {
    if (this.enabled) {
      this.disable();
      return;
    }
    if (asksPermission(DeviceOrientationEvent) && !this.granted) {
      let answer: string;
      try {
        answer = await DeviceOrientationEvent.requestPermission();
      } catch (error) {
        answer = error instanceof Error ? error.message : String(error);
      }
      if (answer !== 'granted') {
        showError(
          this.elements.error,
          `motion sensors were not allowed (${answer}); allow them for this site in the browser's settings ` +
            '(iOS: Settings › Safari › Motion & Orientation Access), then reload',
        );
        return;
      }
      this.granted = true;
    }
    showError(this.elements.error, this.heldBecause ?? '');
    this.enabled = true;
    window.addEventListener('deviceorientation', this.onOrientation);
    this.elements.readout.textContent = 'waiting for the orientation sensor…';
    this.showAvailability();
    clearTimeout(this.noReadingTimer);
    this.noReadingTimer = setTimeout(() => {
      if (this.enabled && this.latest === undefined) {
        this.elements.status.textContent =
          'No orientation reading yet: this device may have no motion sensor (a laptop), or the browser keeps it ' +
          'from this page (check the site’s permissions).';
      }
    }, NO_READING_HINT_MS);
  }

  /** Takes the phone's orientation now as the zero of every hold, until Center is pressed again. */
  private center(): void {
    if (this.latest === undefined) {
      showError(this.elements.error, 'no orientation reading yet to center on');
      return;
    }
    this.centered = this.latest;
    this.zero = this.latest;
    this.smoother.reset({ yaw: 0, pitch: 0, roll: 0 }, performance.now());
    showError(this.elements.error, '');
    this.showReadout();
    if (this.holding) this.queue();
  }

  private start(): void {
    if (!this.enabled || this.holding) return;
    this.holding = true;
    this.zero = this.centered ?? this.latest;
    // The head starts from where the phone is.
    this.smoother.reset(this.zero && this.latest ? turnFrom(this.zero, this.latest) : undefined, performance.now());
    this.elements.hold.classList.add('holding');
    this.elements.hold.setAttribute('aria-pressed', 'true');
  }

  private stop(): void {
    this.stream.stop();
    if (!this.holding) return;
    this.holding = false;
    this.elements.hold.classList.remove('holding');
    this.elements.hold.setAttribute('aria-pressed', 'false');
  }

  private orientation(event: DeviceOrientationEvent): void {
    const { alpha, beta, gamma } = event;
    if (alpha === null || beta === null || gamma === null) return;
    const first = this.latest === undefined;
    this.latest = { alpha, beta, gamma };
    if (first) this.showAvailability();
    if (this.holding) {
      this.zero ??= this.latest;
      this.queue();
    }
    this.showReadout();
  }

  /** The head's angles for the latest reading, smoothed while holding. */
  private angles(smooth: boolean): TiltAngles | undefined {
    const zero = this.zero ?? this.centered ?? this.latest;
    if (!this.latest || !zero) return undefined;
    const turn = turnFrom(zero, this.latest);
    return shapeTilt(smooth ? this.smoother.next(turn, performance.now()) : turn, this.settings);
  }

  private queue(): void {
    const angles = this.angles(true);
    if (!angles) return;
    this.stream.offer(quaternionLine(eulerToQuaternion(angles.yaw, angles.pitch, angles.roll), this.pose()));
  }

  private showReadout(): void {
    const angles = this.angles(false);
    if (!angles) return;
    const zero = this.centered ? 'zero: centered' : 'zero: where the hold starts';
    this.elements.readout.textContent = `yaw ${angles.yaw}°, pitch ${angles.pitch}°, roll ${angles.roll}° (${zero})`;
  }

  /** Whether the line went out: not while the neck cannot read (it waits for resume) or the page cannot send. */
  private sendLine(line: string): boolean {
    if (!this.holding || this.heldBecause !== undefined) return false;
    const outcome = this.send(line);
    showError(this.elements.error, outcome.ok ? '' : outcome.error);
    return outcome.ok;
  }

  /** Gain and inversion per axis, and the One Euro filter's switch and two parameters, saved as they change. */
  private buildSettings(): void {
    const container = this.elements.settings;
    for (const axis of TILT_AXES) {
      const gain = this.range(`tilt-gain-${axis}`, `Gain ${axis}`, GAIN_RANGE, this.settings.gain[axis]);
      gain.input.addEventListener('input', () => {
        this.settings.gain[axis] = Number(gain.input.value);
        this.saved(gain);
      });
      const invert = html('input');
      invert.type = 'checkbox';
      invert.id = `tilt-invert-${axis}`;
      invert.checked = this.settings.invert[axis];
      invert.addEventListener('change', () => {
        this.settings.invert[axis] = invert.checked;
        this.saved();
      });
      const invertLabel = html('label', 'tilt-invert', invert, ` invert`);
      invertLabel.title = `Invert ${axis}`;
      invert.setAttribute('aria-label', `Invert ${axis}`);
      container.append(html('div', 'tilt-axis', gain.row, invertLabel));
    }
    const filter = html('input');
    filter.type = 'checkbox';
    filter.id = 'tilt-filter';
    filter.checked = this.settings.filter;
    filter.setAttribute('aria-label', 'Tilt filter');
    filter.addEventListener('change', () => {
      this.settings.filter = filter.checked;
      this.saved();
    });
    const filterLabel = html('label', 'tilt-invert', filter, ' One Euro filter (less jitter when still)');
    const cutoff = this.range('tilt-min-cutoff', 'Tilt min cutoff, Hz', MIN_CUTOFF_RANGE, this.settings.minCutoffHz);
    cutoff.input.addEventListener('input', () => {
      this.settings.minCutoffHz = Number(cutoff.input.value);
      this.saved(cutoff);
    });
    const beta = this.range('tilt-beta', 'Tilt speed coefficient', BETA_RANGE, this.settings.beta);
    beta.input.addEventListener('input', () => {
      this.settings.beta = Number(beta.input.value);
      this.saved(beta);
    });
    const reset = html('button', 'quiet', 'Reset tilt settings');
    reset.type = 'button';
    reset.addEventListener('click', () => {
      this.settings = parseTiltSettings(DEFAULT_TILT_SETTINGS);
      container.replaceChildren();
      this.buildSettings();
      this.saved();
    });
    container.append(
      html('div', 'tilt-axis', filterLabel),
      html('div', 'tilt-axis', cutoff.row),
      html('div', 'tilt-axis', beta.row),
      reset,
    );
  }

  private range(
    id: string,
    label: string,
    range: { min: number; max: number; step: number },
    value: number,
  ): { row: HTMLElement; input: HTMLInputElement; output: HTMLOutputElement } {
    const input = html('input');
    input.type = 'range';
    input.id = id;
    input.min = String(range.min);
    input.max = String(range.max);
    input.step = String(range.step);
    input.value = String(value);
    const output = html('output', 'slider-value', input.value);
    output.setAttribute('aria-hidden', 'true');
    const caption = html('label', 'slider-label', label);
    caption.htmlFor = id;
    return { row: html('div', 'slider', caption, input, output), input, output };
  }

  private saved(changed?: { input: HTMLInputElement; output: HTMLOutputElement }): void {
    if (changed) changed.output.value = changed.input.value;
    try {
      window.localStorage.setItem(SETTINGS_KEY, JSON.stringify(this.settings));
    } catch {
      // storage disabled (private mode): the settings last as long as the page
    }
    this.showReadout();
    if (this.holding) this.queue();
  }
}

function loadSettings(): TiltSettings {
  try {
    const text = window.localStorage.getItem(SETTINGS_KEY);
    return parseTiltSettings(text === null ? undefined : JSON.parse(text));
  } catch {
    return parseTiltSettings(undefined);
  }
}

import { ACTUATOR_IDS } from '@neck-signal/protocol/firmware';
import { html, svg } from './dom';

/** Longest actuator stroke in mm (0–80 mm: see the README, "Commands the neck understands"). */
const STROKE_MM = 80;
const CENTRE_X = 160;
const BASE_Y = 190;
/** Vertical squash of the plates seen from slightly above. */
const TILT = 0.34;
const BASE_RADIUS = 122;
const TOP_RADIUS = 84;
const TOP_HEIGHT = 62;
/** Screen units per mm of actuator length. */
const PER_MM = 1.15;

interface Point {
  x: number;
  y: number;
}

/**
 * A 2D picture of the Stewart platform seen from the front and slightly above: the base, six actuators whose
 * drawn height follows their length, and the top plate through their ends, plus each length as text.
 */
export class PlatformView {
  private readonly legs = new Map<number, { line: SVGLineElement; joint: SVGCircleElement; base: Point }>();
  private readonly plate: SVGPolygonElement;
  private readonly values: Map<number, HTMLElement>;

  constructor(
    private readonly picture: SVGSVGElement,
    valueList: HTMLElement,
    private readonly caption: HTMLElement,
  ) {
    picture.setAttribute('viewBox', '0 0 320 230');
    const base = ACTUATOR_IDS.map((id) => anchor(baseAngle(id), BASE_RADIUS, 0));
    picture.append(
      svg('polygon', {
        class: 'base',
        points: polygon(ACTUATOR_IDS.map((id) => anchor(baseAngle(id), BASE_RADIUS + 14, 0))),
      }),
    );
    this.plate = svg('polygon', { class: 'plate' });
    // Farther legs first, so nearer ones are drawn over them.
    const order = [...ACTUATOR_IDS].sort((a, b) => Math.sin(rad(baseAngle(a))) - Math.sin(rad(baseAngle(b))));
    for (const id of order) {
      const line = svg('line', { class: 'leg' });
      const joint = svg('circle', { class: 'joint', r: 5 });
      const label = svg('text', { class: 'leg-label', ...labelAt(base[id - 1]) });
      label.textContent = String(id);
      picture.append(line, label);
      this.legs.set(id, { line, joint, base: base[id - 1] });
    }
    picture.append(this.plate, ...[...this.legs.values()].map((leg) => leg.joint));
    this.values = new Map(
      ACTUATOR_IDS.map((id) => {
        const value = html('span', 'actuator-mm', '–');
        valueList.append(html('li', '', `${id}: `, value));
        return [id, value];
      }),
    );
  }

  /** Draws actuator lengths in mm (index 0 is actuator 1); `source` says where they come from. */
  show(lengthsMm: readonly number[], source: string): void {
    const tops: Point[] = [];
    for (const id of ACTUATOR_IDS) {
      const mm = Math.min(STROKE_MM, Math.max(0, lengthsMm[id - 1] ?? 0));
      const leg = this.legs.get(id);
      if (!leg) continue;
      const top = anchor(topAngle(id), TOP_RADIUS, TOP_HEIGHT + mm * PER_MM);
      tops.push(top);
      setAll(leg.line, { x1: leg.base.x, y1: leg.base.y, x2: top.x, y2: top.y, stroke: lengthColour(mm) });
      setAll(leg.joint, { cx: top.x, cy: top.y });
      const value = this.values.get(id);
      if (value) value.textContent = `${formatMm(mm)} mm`;
    }
    const order = ACTUATOR_IDS.map((id, index) => ({ angle: topAngle(id), point: tops[index] })).sort(
      (a, b) => a.angle - b.angle,
    );
    this.plate.setAttribute('points', polygon(order.map(({ point }) => point)));
    this.caption.textContent = source;
    this.picture.setAttribute('aria-label', `Platform: actuators ${lengthsMm.map(formatMm).join(', ')} mm (${source})`);
  }
}

/** Base joints sit in pairs around 0°, 120° and 240°; top joints in pairs around 60°, 180°, 300°. */
function baseAngle(id: number): number {
  const pair = Math.floor((id - 1) / 2);
  return 90 + pair * 120 + ((id - 1) % 2 === 0 ? -16 : 16);
}

function topAngle(id: number): number {
  const pair = Math.floor((id - 1) / 2);
  return 90 + pair * 120 + ((id - 1) % 2 === 0 ? -44 : 44);
}

/** A joint on a plate at `angle` degrees (90° faces the viewer), `height` above the base, on screen. */
function anchor(angle: number, radius: number, height: number): Point {
  return {
    x: CENTRE_X + radius * Math.cos(rad(angle)),
    y: BASE_Y - 28 + radius * TILT * Math.sin(rad(angle)) - height,
  };
}

function labelAt(point: Point): Record<string, number> {
  return { x: point.x, y: point.y + 16 };
}

function rad(degrees: number): number {
  return (degrees * Math.PI) / 180;
}

function polygon(points: readonly Point[]): string {
  return points.map(({ x, y }) => `${x.toFixed(1)},${y.toFixed(1)}`).join(' ');
}

function setAll(target: SVGElement, attributes: Record<string, string | number>): void {
  for (const [name, value] of Object.entries(attributes)) {
    target.setAttribute(name, typeof value === 'number' ? value.toFixed(1) : value);
  }
}

/** Blue when retracted, orange when extended. */
function lengthColour(mm: number): string {
  return `hsl(${Math.round(205 - (mm / STROKE_MM) * 180)} 70% 48%)`;
}

function formatMm(mm: number): string {
  return (Math.round(mm * 10) / 10).toFixed(1);
}

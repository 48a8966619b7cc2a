/** The element with `id`, checked to be of the expected class; a missing one is a bug in index.html. */
export function byId<T extends Element>(id: string, type: abstract new () => T): T {
  const found = document.getElementById(id);
  if (!(found instanceof type)) throw new Error(`index.html has no ${type.name} #${id}`);
  return found;
}

type Child = Node | string;

/** A new HTML element with a class and children (strings become text, never markup). */
export function html<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  className = '',
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const created = document.createElement(tag);
  if (className !== '') created.className = className;
  created.append(...children);
  return created;
}

const SVG_NS = 'http://www.w3.org/2000/svg';

/** A new SVG element with attributes. */
export function svg<K extends keyof SVGElementTagNameMap>(
  tag: K,
  attributes: Record<string, string | number> = {},
): SVGElementTagNameMap[K] {
  const created = document.createElementNS(SVG_NS, tag);
  for (const [name, value] of Object.entries(attributes)) created.setAttribute(name, String(value));
  return created;
}

/** Shows a message in an alert element (role="alert"), or hides it for an empty message. */
export function showError(target: HTMLElement, message: string): void {
  target.textContent = message;
  target.hidden = message === '';
}

/** `12:03:04` for now. */
export function clockTime(date = new Date()): string {
  return date.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false });
}

export interface NumberFieldOptions {
  min?: number;
  max?: number;
  step: string;
  value?: string;
  placeholder?: string;
  /** The accessible name, when the visible label is shorter (e.g. `w` for "Quaternion w"). */
  name?: string;
}

/** A labelled number input appended to `container`; returns the input. */
export function numberField(
  container: HTMLElement,
  id: string,
  label: string,
  options: NumberFieldOptions,
): HTMLInputElement {
  const input = html('input');
  input.type = 'number';
  input.id = id;
  input.inputMode = 'decimal';
  input.step = options.step;
  if (options.min !== undefined) input.min = String(options.min);
  if (options.max !== undefined) input.max = String(options.max);
  if (options.value !== undefined) input.value = options.value;
  if (options.placeholder !== undefined) input.placeholder = options.placeholder;
  if (options.name !== undefined) input.setAttribute('aria-label', options.name);
  const caption = html('label', '', label);
  caption.htmlFor = id;
  container.append(html('div', 'field', caption, input));
  return input;
}

import jsQR from 'jsqr';
import type { Page } from 'playwright-core';

/**
 * Reads the QR code a page drew on the canvas `selector`, as a phone's camera would: its pixels, decoded by
 * jsQR. Undefined when no code is found.
 */
export async function decodeCanvasQr(page: Page, selector: string): Promise<string | undefined> {
  // Page code is passed as text: this project's TypeScript has no DOM types.
  const picture = await page.evaluate<{ width: number; height: number; data: number[] } | undefined>(`(() => {
    const canvas = document.querySelector(${JSON.stringify(selector)});
    if (!(canvas instanceof HTMLCanvasElement)) return undefined;
    const image = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
    return { width: image.width, height: image.height, data: Array.from(image.data) };
  })()`);
  if (picture === undefined) return undefined;
  return jsQR(Uint8ClampedArray.from(picture.data), picture.width, picture.height)?.data;
}

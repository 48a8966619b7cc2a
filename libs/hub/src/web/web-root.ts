import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The name in the repository's package.json, which marks its root. */
const REPOSITORY_NAME = 'neck-signal';

/**
 * The directory the web page is built into (`dist/web` at the repository root, by `npm run build`). Found by
 * walking up from this file, so it works from the built library (`libs/hub/dist/web/`) and from the TypeScript
 * sources under jest (`libs/hub/src/web/`) alike.
 */
export function findWebRoot(start: string = __dirname): string {
  for (let dir = start; ; dir = dirname(dir)) {
    if (isRepositoryRoot(dir)) return join(dir, 'dist', 'web');
    if (dirname(dir) === dir) break;
  }
  // Not inside the repository (an unusual install): the built library sits at libs/hub/dist/web.
  return join(start, '..', '..', '..', '..', 'dist', 'web');
}

function isRepositoryRoot(dir: string): boolean {
  const file = join(dir, 'package.json');
  if (!existsSync(file)) return false;
  try {
    const json: unknown = JSON.parse(readFileSync(file, 'utf8'));
    return typeof json === 'object' && json !== null && 'name' in json && json.name === REPOSITORY_NAME;
  } catch {
    return false;
  }
}

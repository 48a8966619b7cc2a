import { build } from 'esbuild';
import { join } from 'node:path';
import { runInNewContext } from 'node:vm';
import { TEST_PASSWORD, TestHub } from '../../../test/support/hub';

/** What a page gets from `import * as hubClient from '@neck-signal/hub-client'`, as far as this test uses it. */
interface BundledHubClient {
  HubClient: new (options: { url: string; password: string; uuid?: string }) => {
    login(): Promise<{ token: string; uuid: string }>;
    close(): Promise<void>;
  };
}

describe('the core in a browser', () => {
  let hub: TestHub | undefined;

  afterEach(async () => {
    await hub?.close();
    hub = undefined;
  });

  async function bundle() {
    const result = await build({
      entryPoints: [join(__dirname, 'index.ts')],
      bundle: true,
      platform: 'browser',
      format: 'iife',
      globalName: 'hubClient',
      write: false,
      metafile: true,
      logLevel: 'silent',
      tsconfig: join(__dirname, '../../../tsconfig.json'),
    });
    const [output] = result.outputFiles;
    if (!output) throw new Error('esbuild wrote nothing');
    return { code: output.text, inputs: Object.keys(result.metafile.inputs), warnings: result.warnings };
  }

  it('bundles for the browser with esbuild, without Node built-ins or Nest', async () => {
    const { inputs, warnings } = await bundle();

    expect(warnings).toEqual([]);
    expect(inputs).toContain('libs/hub-client/src/hub-client.ts');
    expect(inputs.filter((input) => /^node:|@nestjs|hub-client\.module/.test(input))).toEqual([]);
    expect(inputs.some((input) => input.includes('node_modules/socket.io-client/build/esm/'))).toBe(true);
  });

  it('runs in a context that has only browser globals, and logs in with fetch', async () => {
    hub = await TestHub.start();
    const { code } = await bundle();
    const page: { hubClient?: BundledHubClient } = {};
    const browserGlobals = { fetch, AbortController, URL, setTimeout, clearTimeout, performance, console };
    runInNewContext(code, Object.assign(page, browserGlobals));
    if (!page.hubClient) throw new Error('the bundle defined no hubClient global');

    const client = new page.hubClient.HubClient({ url: hub.url, password: TEST_PASSWORD, uuid: 'web-page' });
    try {
      await expect(client.login()).resolves.toEqual({
        token: expect.any(String),
        uuid: 'web-page',
        expiresIn: expect.any(Number),
      });
    } finally {
      await client.close();
    }
  });
});

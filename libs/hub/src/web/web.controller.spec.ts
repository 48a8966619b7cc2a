import { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WEB_ROOT, WebController, resolveAsset } from './web.controller';
import { findWebRoot } from './web-root';

describe('WebController', () => {
  let dir: string;
  let app: INestApplication;
  let url: string;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'neck-web-'));
    const root = join(dir, 'web');
    const module = await Test.createTestingModule({
      controllers: [WebController],
      providers: [{ provide: WEB_ROOT, useValue: root }],
    }).compile();
    app = module.createNestApplication({ logger: false });
    await app.listen(0, '127.0.0.1');
    const address = (app.getHttpServer() as Server).address();
    url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  });

  afterEach(async () => {
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  });

  function build(): void {
    mkdirSync(join(dir, 'web', 'nested'), { recursive: true });
    writeFileSync(join(dir, 'web', 'index.html'), '<!doctype html><title>neck-signal</title>');
    writeFileSync(join(dir, 'web', 'app.js'), 'console.log(1);');
    writeFileSync(join(dir, 'web', 'style.css'), 'body{}');
    writeFileSync(join(dir, 'web', '.secret'), 'SECRET-CONTENT');
    writeFileSync(join(dir, 'outside.txt'), 'SECRET-CONTENT');
  }

  it('answers 503 saying to run npm run build while the page is not built', async () => {
    const response = await fetch(`${url}/app/`);
    expect(response.status).toBe(503);
    expect(response.headers.get('content-type')).toMatch(/text\/html/);
    expect(await response.text()).toContain('npm run build');
    expect((await fetch(`${url}/app/app.js`)).status).toBe(503);
  });

  it('serves index.html at /app/ and the files beside it with their content types', async () => {
    build();
    const page = await fetch(`${url}/app/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(await page.text()).toContain('neck-signal');
    const script = await fetch(`${url}/app/app.js`);
    expect(script.headers.get('content-type')).toMatch(/javascript/);
    expect(script.headers.get('x-content-type-options')).toBe('nosniff');
    expect((await fetch(`${url}/app/style.css`)).headers.get('content-type')).toMatch(/^text\/css/);
  });

  it('redirects /app to /app/ so the relative URLs in the page resolve', async () => {
    build();
    const response = await fetch(`${url}/app?x=1`, { redirect: 'manual' });
    expect(response.status).toBe(301);
    expect(new URL(response.headers.get('location') ?? '', `${url}/app?x=1`).href).toBe(`${url}/app/?x=1`);
  });

  it.each([
    ['a missing file', '/app/missing.js'],
    ['a directory (no listing)', '/app/nested/'],
    ['a dotfile', '/app/.secret'],
    ['an escaped climb out of the page', '/app/..%2foutside.txt'],
    ['an escaped backslash', '/app/..%5coutside.txt'],
  ])('answers 404 for %s', async (_, path) => {
    build();
    const response = await fetch(`${url}${path}`);
    expect(response.status).toBe(404);
    expect(await response.text()).not.toContain('SECRET-CONTENT');
  });
});

describe('resolveAsset', () => {
  it('keeps paths inside the root and refuses the rest', () => {
    expect(resolveAsset('/srv/web', 'app.js')).toBe('/srv/web/app.js');
    expect(resolveAsset('/srv/web', 'a//b.css')).toBe('/srv/web/a/b.css');
    expect(resolveAsset('/srv/web', '../etc/passwd')).toBeUndefined();
    expect(resolveAsset('/srv/web', '%2e%2e/etc/passwd')).toBeUndefined();
    expect(resolveAsset('/srv/web', 'a/%00.js')).toBeUndefined();
    expect(resolveAsset('/srv/web', '%E0%A4%A')).toBeUndefined();
    expect(resolveAsset('/srv/web', '')).toBeUndefined();
  });
});

describe('findWebRoot', () => {
  it('finds dist/web at the repository root from the sources and from the built hub', () => {
    const root = join(__dirname, '..', '..', '..', '..');
    expect(findWebRoot(__dirname)).toBe(join(root, 'dist', 'web'));
    expect(findWebRoot(join(root, 'dist', 'apps', 'hub', 'web'))).toBe(join(root, 'dist', 'web'));
  });
});

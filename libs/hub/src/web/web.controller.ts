import { Controller, Get, HttpStatus, Inject, Logger, Optional, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { statSync } from 'node:fs';
import { join, resolve, sep } from 'node:path';
import { HubPaths } from '@neck-signal/protocol';
import { findWebRoot } from './web-root';

/** Only our own scripts, styles and origin; the page talks to the hub it was loaded from. */
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "connect-src 'self'",
  "img-src 'self' data:",
  "style-src 'self'",
  "script-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const NOT_BUILT_PAGE = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>neck-signal: page not built</title></head>
<body>
<h1>neck-signal hub</h1>
<p>The hub is running, but its web control page has not been built.</p>
<p>Run <code>npm run build</code> in the neck-signal checkout (it bundles the page into <code>dist/web</code>), then reload.</p>
</body>
</html>
`;

/** Overrides where the built page is looked for (tests); default findWebRoot(). */
export const WEB_ROOT = Symbol('WEB_ROOT');

/**
 * Serves the web control page, built into dist/web, at HubPaths.WebPage: index.html for the page itself and
 * the files beside it below it. No directory listings, no dotfiles, nothing outside dist/web; 503 with what to
 * do while the page has not been built.
 */
@Controller()
export class WebController {
  private readonly logger = new Logger(WebController.name);
  private readonly root: string;
  private warnedMissing = false;

  constructor(@Optional() @Inject(WEB_ROOT) root?: string) {
    this.root = root ?? findWebRoot();
  }

  @Get(HubPaths.WebPage)
  page(@Req() request: Request, @Res() response: Response): void {
    if (!request.path.endsWith('/')) {
      // Relative URLs in the page (app.js, style.css) need the trailing slash; relative, so a proxy prefix survives.
      const query = request.url.includes('?') ? request.url.slice(request.url.indexOf('?')) : '';
      const last = request.path.split('/').pop() ?? '';
      response.redirect(HttpStatus.MOVED_PERMANENTLY, `${last}/${query}`);
      return;
    }
    this.serve(response, 'index.html');
  }

  @Get(`${HubPaths.WebPage}*asset`)
  asset(@Req() request: Request, @Res() response: Response): void {
    this.serve(response, request.path.slice(HubPaths.WebPage.length));
  }

  private serve(response: Response, urlPath: string): void {
    if (!isFile(join(this.root, 'index.html'))) {
      this.notBuilt(response);
      return;
    }
    const file = resolveAsset(this.root, urlPath === '' ? 'index.html' : urlPath);
    if (file === undefined || !isFile(file)) {
      response.status(HttpStatus.NOT_FOUND).type('text/plain').send('not found\n');
      return;
    }
    response.setHeader('Cache-Control', 'no-cache');
    response.setHeader('X-Content-Type-Options', 'nosniff');
    response.setHeader('Referrer-Policy', 'no-referrer');
    if (file.endsWith('.html')) response.setHeader('Content-Security-Policy', CONTENT_SECURITY_POLICY);
    response.sendFile(file, { dotfiles: 'deny' }, (error?: Error) => {
      if (error && !response.headersSent) response.status(HttpStatus.NOT_FOUND).type('text/plain').send('not found\n');
    });
  }

  private notBuilt(response: Response): void {
    if (!this.warnedMissing) {
      this.warnedMissing = true;
      this.logger.warn(`the web page is not built (no ${join(this.root, 'index.html')}); run npm run build`);
    }
    response.status(HttpStatus.SERVICE_UNAVAILABLE).setHeader('Cache-Control', 'no-store');
    response.type('text/html').send(NOT_BUILT_PAGE);
  }
}

/**
 * The file below `root` a URL path names, or undefined when it may not be served: traversal (`..`), dotfiles,
 * backslashes, NUL bytes and malformed escapes are refused.
 */
export function resolveAsset(root: string, urlPath: string): string | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return undefined;
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return undefined;
  const segments = decoded.split('/').filter((segment) => segment !== '');
  if (segments.length === 0 || segments.some((segment) => segment.startsWith('.'))) return undefined;
  const base = resolve(root);
  const file = resolve(base, ...segments);
  return file.startsWith(base + sep) ? file : undefined;
}

function isFile(path: string): boolean {
  return statSync(path, { throwIfNoEntry: false })?.isFile() ?? false;
}

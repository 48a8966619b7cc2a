import { Controller, Get, Header } from '@nestjs/common';
import { HubPaths } from '@neck-signal/protocol';

const PLACEHOLDER = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>neck-signal</title></head>
<body>
<h1>neck-signal hub</h1>
<p>The hub is running. The web control page is not part of this release yet; use <code>neck repl</code>.</p>
<p>Health: <a href="/" type="application/json">GET /</a> with <code>Accept: application/json</code>.</p>
</body>
</html>
`;

/** The web control page's path; a placeholder until the page itself ships. */
@Controller()
export class WebController {
  @Get(HubPaths.WebPage)
  @Header('Content-Type', 'text/html; charset=utf-8')
  page(): string {
    return PLACEHOLDER;
  }
}

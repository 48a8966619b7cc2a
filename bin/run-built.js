'use strict';
const fs = require('node:fs');
const path = require('node:path');
const stopWithLauncher = require('./stop-with-launcher');

/** Loads dist/apps/<app>/main.js, or says how to build it. */
module.exports = function runBuilt(app) {
  const main = path.join(__dirname, '..', 'dist', 'apps', app, 'main.js');
  if (!fs.existsSync(main)) {
    process.stderr.write(`neck-signal is not built yet (${main} is missing); run: npm ci && npm run build\n`);
    process.exit(2);
  }
  // `npx neck-hub`: npx's shell does not pass SIGTERM on (see stop-with-launcher.js).
  stopWithLauncher((message) => process.stderr.write(`${path.basename(process.argv[1] || app)}: ${message}\n`));
  require(main);
};

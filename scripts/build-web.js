#!/usr/bin/env node
'use strict';
// Builds the web control page the hub serves at /app/: bundles apps/web/src/main.ts with esbuild into
// dist/web/app.js (+ source map) and copies index.html and style.css beside it.
//   node scripts/build-web.js          build once
//   node scripts/build-web.js --quiet  build once, print nothing but errors

const fs = require('node:fs');
const path = require('node:path');
const esbuild = require('esbuild');

const root = path.resolve(__dirname, '..');
const source = path.join(root, 'apps', 'web');
const output = path.join(root, 'dist', 'web');
const STATIC_FILES = ['index.html', 'style.css'];

async function build() {
  fs.mkdirSync(output, { recursive: true });
  await esbuild.build({
    entryPoints: [path.join(source, 'src', 'main.ts')],
    tsconfig: path.join(source, 'tsconfig.json'),
    outfile: path.join(output, 'app.js'),
    bundle: true,
    platform: 'browser',
    format: 'iife',
    target: 'es2020',
    minify: true,
    sourcemap: true,
    legalComments: 'none',
    logLevel: 'warning',
  });
  for (const file of STATIC_FILES) fs.copyFileSync(path.join(source, file), path.join(output, file));
  return fs.statSync(path.join(output, 'app.js')).size;
}

build().then(
  (bytes) => {
    if (!process.argv.includes('--quiet')) {
      const relative = path.relative(root, output);
      console.log(`[neck-signal] web page built into ${relative}/ (app.js ${(bytes / 1024).toFixed(1)} KiB)`);
    }
  },
  (error) => {
    // esbuild has already printed the errors with their locations.
    console.error(`[neck-signal] building the web page failed: ${error.message.split('\n')[0]}`);
    process.exitCode = 1;
  },
);

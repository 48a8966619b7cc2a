#!/usr/bin/env node
'use strict';
// The seed's "auto-env" in Node form, with nothing but Node built-ins: install dependencies when
// node_modules is missing or older than package-lock.json, build when the output is stale, then run.
//   node scripts/bootstrap.js start [args…]   what `npm start` runs
//   node scripts/bootstrap.js test [args…]    what `npm test` runs
//   node scripts/bootstrap.js ensure          install and build only
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const stopWithLauncher = require('../bin/stop-with-launcher');

const root = path.resolve(__dirname, '..');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const BUILD_STAMP = path.join(root, 'dist', '.build-stamp');
const SOURCE_DIRS = ['apps', 'libs'];
const SOURCE_FILES = ['package-lock.json', 'tsconfig.base.json', 'tsconfig.build.json'];

function say(message) {
  process.stderr.write(`[neck-signal] ${message}\n`);
}

function mtime(file) {
  try {
    return fs.statSync(file).mtimeMs;
  } catch {
    return -1;
  }
}

function run(command, args, what) {
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', shell: process.platform === 'win32' });
  if (result.status !== 0) {
    say(`${what} failed (exit ${result.status ?? result.signal}); see the output above.`);
    process.exit(result.status || 1);
  }
}

function installReason() {
  const marker = path.join(root, 'node_modules', '.package-lock.json');
  if (mtime(marker) < 0) return 'installing dependencies (first run)…';
  if (mtime(path.join(root, 'package-lock.json')) > mtime(marker)) {
    return 'installing dependencies (package-lock.json changed)…';
  }
  return null;
}

function newestSource(dir) {
  let newest = -1;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name === 'dist') continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(full));
    else if (/\.(ts|json|html|css)$/.test(entry.name)) newest = Math.max(newest, mtime(full));
  }
  return newest;
}

function buildReason() {
  const stamp = mtime(BUILD_STAMP);
  if (stamp < 0) return 'building (first run)…';
  const libs = fs.readdirSync(path.join(root, 'libs'));
  if (libs.some((lib) => mtime(path.join(root, 'libs', lib, 'dist', 'index.js')) < 0)) {
    return 'building (a library has no build)…';
  }
  if (mtime(path.join(root, 'dist', 'web', 'app.js')) < 0) return 'building (the web page has no build)…';
  const newest = Math.max(
    ...SOURCE_DIRS.map((dir) => newestSource(path.join(root, dir))),
    ...SOURCE_FILES.map((file) => mtime(path.join(root, file))),
  );
  return newest > stamp ? 'rebuilding (sources changed)…' : null;
}

function ensure() {
  const install = installReason();
  if (install) {
    say(install);
    run(npm, ['ci', '--no-audit', '--no-fund'], 'npm ci');
  }
  const build = buildReason();
  if (build) {
    say(build);
    run(
      process.execPath,
      [require.resolve('typescript/bin/tsc', { paths: [root] }), '-b', 'tsconfig.build.json'],
      'build',
    );
    run(process.execPath, [path.join(root, 'scripts', 'build-web.js'), '--quiet'], 'web page build');
    fs.mkdirSync(path.dirname(BUILD_STAMP), { recursive: true });
    fs.writeFileSync(BUILD_STAMP, `${new Date().toISOString()}\n`);
  }
}

// Runs the program in this very process, so signals (Ctrl-C, SIGTERM) reach it directly.
function exec(script, args) {
  const file = path.join(root, script);
  process.argv = [process.argv[0], file, ...args];
  require(file);
}

const [command = 'ensure', ...args] = process.argv.slice(2);
// npm's `sh -c` does not pass SIGTERM on: the demo stops by itself once npm or that shell is gone (noticed
// once installing and building are done).
if (command === 'start') stopWithLauncher(say);
ensure();
switch (command) {
  case 'ensure':
    break;
  case 'start':
    exec('dist/apps/cli/main.js', ['demo', ...args]);
    break;
  case 'test':
    exec('scripts/test.js', args);
    break;
  default:
    say(`unknown command ${command}; use start, test or ensure`);
    process.exit(2);
}

'use strict';
// System programs the test suites drive for real (README, "Testing"). Checked before any test runs: installed with
// apt-get when we are root on a Debian-like system (unless NECK_TEST_NO_INSTALL=1), else we stop with the
// exact command to run. No suite skips itself because a program is missing.
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const PYTHON = '/usr/bin/python3';
const REQUIREMENTS = [
  { program: 'socat', debian: ['socat'], why: 'a real tty (PTY pair) for the serial end-to-end tests' },
  { program: 'redis-server', debian: ['redis-server'], why: 'the Redis adapter scale-out tests' },
  { program: 'chromium', debian: ['chromium'], why: 'the web page tests (driven by playwright-core)' },
  { program: 'systemd-analyze', debian: ['systemd'], why: 'checking the shipped systemd unit files' },
  {
    program: 'python-socketio 5',
    debian: ['python3-socketio', 'python3-requests', 'python3-websocket'],
    why: 'the wire-compatibility tests with the original Python clients',
    present: () => spawnSync(PYTHON, ['-c', 'import socketio, requests, websocket'], { stdio: 'ignore' }).status === 0,
  },
];

function which(program) {
  for (const dir of (process.env.PATH || '').split(path.delimiter)) {
    const full = path.join(dir, program);
    try {
      fs.accessSync(full, fs.constants.X_OK);
      return full;
    } catch {
      // not in this directory
    }
  }
  return null;
}

function missingRequirements() {
  return REQUIREMENTS.filter((req) => (req.present ? !req.present() : which(req.program) === null));
}

function ensureSystemPrograms(say) {
  const missing = missingRequirements();
  if (missing.length === 0) return;
  const packages = missing.flatMap((req) => req.debian);
  const command = `apt-get update && apt-get install -y --no-install-recommends ${packages.join(' ')}`;
  for (const req of missing) say(`missing ${req.program}: needed for ${req.why}`);
  const debianLike = fs.existsSync('/etc/debian_version') && which('apt-get') !== null;
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  const forbidden = process.env.NECK_TEST_NO_INSTALL === '1';
  if (!debianLike || !root || forbidden) {
    const why = forbidden
      ? 'NECK_TEST_NO_INSTALL=1 forbids installing'
      : !debianLike
        ? 'not a Debian-like system'
        : 'not root';
    say(`cannot install them here (${why}). Install them, then run npm test again:`);
    say(
      `  ${debianLike && !root ? `sudo sh -c '${command}'` : debianLike ? command : `install ${packages.join(', ')} with your package manager`}`,
    );
    process.exit(1);
  }
  say(`installing ${packages.join(' ')} with apt-get (set NECK_TEST_NO_INSTALL=1 to forbid)…`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  for (const args of [
    ['update', '-qq'],
    ['install', '-y', '-qq', '--no-install-recommends', ...packages],
  ]) {
    const result = spawnSync('apt-get', args, { stdio: 'inherit', env });
    if (result.status !== 0) {
      say(`apt-get ${args[0]} failed; run this yourself, then npm test again:\n  ${command}`);
      process.exit(1);
    }
  }
  const still = missingRequirements();
  if (still.length > 0) {
    say(`still missing after apt-get: ${still.map((req) => req.program).join(', ')}`);
    process.exit(1);
  }
}

module.exports = { ensureSystemPrograms, REQUIREMENTS, PYTHON, which };

#!/usr/bin/env node
'use strict';
// `npm test`: system programs, lint, type-check, then every unit and end-to-end spec, ending with one
// summary line `N passed, N failed`. Extra arguments go to jest (e.g. `npm test -- parse.spec`).
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { ensureSystemPrograms } = require('./system-deps');

const root = path.resolve(__dirname, '..');
const bin = (pkg, file) => path.join(root, 'node_modules', pkg, file);

function say(message) {
  process.stderr.write(`[neck-signal test] ${message}\n`);
}

function step(title, file, args) {
  say(`${title}…`);
  const result = spawnSync(process.execPath, [file, ...args], { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) {
    say(`${title} failed (exit ${result.status ?? result.signal}).`);
    process.exit(result.status || 1);
  }
}

ensureSystemPrograms(say);
const jestArgs = process.argv.slice(2);
if (jestArgs.length === 0) {
  step('lint (eslint)', bin('eslint', 'bin/eslint.js'), ['.', '--max-warnings', '0']);
  step('format check (prettier)', bin('prettier', 'bin/prettier.cjs'), ['--check', '.', '--log-level', 'warn']);
  step('type-check (tsc)', bin('typescript', 'bin/tsc'), ['-p', 'tsconfig.json', '--noEmit']);
  step('type-check of the web page (tsc)', bin('typescript', 'bin/tsc'), ['-p', 'apps/web/tsconfig.json', '--noEmit']);
}

// jest's report, and everything jest and the programs print besides the progress lines (logs of in-process
// hubs, warnings): kept only when something failed.
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'neck-test-'));
const report = path.join(work, 'jest.json');
const logPath = path.join(work, 'output.log');
const log = fs.openSync(logPath, 'w');
say('unit and end-to-end tests (jest)…');
const jest = spawnSync(
  process.execPath,
  [
    bin('jest', 'bin/jest.js'),
    // First: --reporters takes every word up to the next option.
    `--reporters=${path.join(__dirname, 'jest-progress.js')}`,
    '--ci',
    '--json',
    '--outputFile',
    report,
    ...jestArgs,
  ],
  {
    cwd: root,
    // fd 3 is the progress reporter's: this one's stdout.
    stdio: ['inherit', log, log, 1],
    env: { ...process.env, NECK_TEST_PROGRESS_FD: '3' },
  },
);
fs.closeSync(log);
let summary = null;
try {
  summary = JSON.parse(fs.readFileSync(report, 'utf8'));
} catch {
  // jest died before writing its report; its exit code says so below
}
const failed = jest.status !== 0 || !summary || summary.numFailedTests > 0;
if (failed && fs.statSync(logPath).size > 0) {
  fs.rmSync(report, { force: true });
  say(`what jest and the programs printed meanwhile (for the failures): ${logPath}`);
} else {
  fs.rmSync(work, { recursive: true, force: true });
}
if (summary) {
  const skipped = summary.numPendingTests + summary.numTodoTests;
  process.stdout.write(
    `${summary.numPassedTests} passed, ${summary.numFailedTests} failed${skipped ? `, ${skipped} skipped` : ''}\n`,
  );
  if (summary.numTotalTests === 0) {
    say('no test ran');
    process.exit(1);
  }
}
process.exit(jest.status ?? 1);

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

const report = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'neck-test-')), 'jest.json');
say('unit and end-to-end tests (jest)…');
const jest = spawnSync(
  process.execPath,
  [bin('jest', 'bin/jest.js'), '--ci', '--json', '--outputFile', report, ...jestArgs],
  {
    cwd: root,
    stdio: 'inherit',
  },
);
let summary = null;
try {
  summary = JSON.parse(fs.readFileSync(report, 'utf8'));
} catch {
  // jest died before writing its report; its exit code says so below
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

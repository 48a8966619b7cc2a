'use strict';
// A jest reporter for `npm test`: one line per suite as it ends, and a failed test's message; nothing else.
// scripts/test.js gives it its own file descriptor (NECK_TEST_PROGRESS_FD) and sends everything else that jest
// and the programs under test print to a log file, shown only when something failed.
const fs = require('node:fs');
const path = require('node:path');

class ProgressReporter {
  constructor(globalConfig) {
    this.root = globalConfig.rootDir;
    this.fd = Number(process.env.NECK_TEST_PROGRESS_FD) || 1;
    this.done = 0;
  }

  onRunStart(results) {
    this.total = results.numTotalTestSuites;
  }

  onTestResult(test, result) {
    this.done += 1;
    const failed = result.numFailingTests > 0 || result.testExecError !== undefined;
    const seconds = ((result.perfStats.end - result.perfStats.start) / 1000).toFixed(1);
    const tests = result.numPassingTests + result.numFailingTests;
    const name = path.relative(this.root, test.path);
    this.write(`${failed ? 'FAIL' : 'ok  '} [${this.done}/${this.total}] ${name} (${tests} tests, ${seconds} s)\n`);
    if (failed) this.write(`${result.failureMessage ?? result.testExecError?.message ?? ''}\n`);
  }

  write(text) {
    fs.writeSync(this.fd, text);
  }
}

module.exports = ProgressReporter;

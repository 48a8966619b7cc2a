#!/usr/bin/env node
'use strict';
// Runs every benchmark in bench/ (bench/*.bench.js, after `npm run build`). There are none yet.
const fs = require('node:fs');
const path = require('node:path');
const { spawnSync } = require('node:child_process');

const dir = path.join(__dirname, '..', 'bench');
const benches = fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith('.bench.js')) : [];
if (benches.length === 0) console.log('no benchmarks yet (bench/*.bench.js)');
for (const bench of benches) {
  const result = spawnSync(process.execPath, [path.join(dir, bench)], { stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status || 1);
}

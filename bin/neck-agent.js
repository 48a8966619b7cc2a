#!/usr/bin/env -S node --max-semi-space-size=2
'use strict';
// The agent runs for months on a small board: a 2 MB young generation (V8's default grows to 16 MB a semi-space)
// keeps its RSS ~30 MB lower at no measurable CPU cost (bench/README.md, docs/firmware.md).
// Runs the built program; `npm run build` (or `npm start`/`npm test`) builds it.
require('./run-built')('neck-agent');

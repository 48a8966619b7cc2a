#!/usr/bin/env node
'use strict';
// Runs the built program; `npm run build` (or `npm start`/`npm test`) builds it.
require('./run-built')('hub');

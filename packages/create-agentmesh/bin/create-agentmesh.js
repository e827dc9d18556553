#!/usr/bin/env node
// Committed shim so the bin is linked by `npm ci` before the TypeScript build exists.
require('../dist/main.js');

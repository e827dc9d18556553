#!/usr/bin/env node
// Committed shim so `npx mesh` is linked by `npm ci` before the TypeScript build exists.
require('../dist/bin/mesh.js');

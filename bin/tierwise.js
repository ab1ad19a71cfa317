#!/usr/bin/env node
// The CLI is bundled into dist/ by `npm ci` (the prepare script); this file only starts it.
import '../dist/tierwise.mjs';

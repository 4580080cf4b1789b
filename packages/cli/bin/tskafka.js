#!/usr/bin/env node
// A committed shim so that the bin exists when pnpm links it at install time, before the
// workspace's `prepare` step has compiled dist/.
import '../dist/bin.js';

#!/usr/bin/env node
// Entry point for `npx lakegate` and `npm start`: runs the compiled CLI.
//
// DuckDB queries and SCRAM's PBKDF2 both run on libuv's thread pool (4 threads
// by default), so a few long queries would make every other client wait. The
// pool is created on its first use, and an ES module entry point is itself read
// through it: this launcher is CommonJS so the size is set before that happens.
'use strict';
const os = require('node:os');

if (!process.env.UV_THREADPOOL_SIZE) {
  process.env.UV_THREADPOOL_SIZE = String(Math.min(128, Math.max(16, os.availableParallelism() * 4)));
}

import('../dist/cli.js').catch((err) => {
  console.error(err);
  process.exit(1);
});

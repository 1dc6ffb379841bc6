#!/usr/bin/env node
// Entry point for `npx lakegate` and `npm start`: runs the compiled CLI.
import('../dist/cli.js').catch((err) => {
  console.error(err);
  process.exit(1);
});

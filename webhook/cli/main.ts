#!/usr/bin/env node
import { runMeshward } from './dispatch.js';

runMeshward(process.argv.slice(2)).then(
  // Exit explicitly: a one-shot command may leave watches open (live cluster reads).
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`meshward: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);

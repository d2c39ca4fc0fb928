#!/usr/bin/env node
import { runMeshward } from './dispatch.js';

/** Exit once stdout and stderr are flushed (pipes are asynchronous on some platforms). */
function exitAfterFlush(code: number): void {
  let pending = 2;
  const done = (): void => {
    if (--pending === 0) process.exit(code);
  };
  process.stdout.write('', done);
  process.stderr.write('', done);
}

// Exit explicitly: a one-shot command may leave watches open (live cluster reads).
runMeshward(process.argv.slice(2)).then(exitAfterFlush, (err: unknown) => {
  process.stderr.write(`meshward: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  exitAfterFlush(1);
});

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('process log: every line, in order, when a replica exits', () => {
  it('a burst logged while stopping reaches a slow reader whole and in order, "stopped" last', async () => {
    for (let run = 0; run < 3; run++) {
      const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'fixtures', 'log-then-sigterm.ts')], {
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      const chunks: Buffer[] = [];
      await new Promise<void>((resolve) => child.stdout.once('data', (c: Buffer) => (chunks.push(c), resolve())));
      // Stop reading so the pipe fills while the process logs and exits.
      child.stdout.pause();
      child.kill('SIGTERM');
      await sleep(300);
      child.stdout.on('data', (c: Buffer) => chunks.push(c));
      child.stdout.resume();
      const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
      assert.equal(code, 0);
      const lines = Buffer.concat(chunks).toString('utf8').trim().split('\n').slice(1);
      const parsed = lines.map((l, n) => {
        try {
          return JSON.parse(l) as { msg: string; i?: number };
        } catch {
          assert.fail(`line ${n + 1} is not whole JSON: ${l.slice(0, 120)}…`);
        }
      });
      const steps = parsed.filter((l) => l.msg === 'step').map((l) => l.i);
      assert.deepEqual(
        steps,
        Array.from({ length: 400 }, (_, i) => i),
      );
      assert.deepEqual(
        parsed.slice(-1).map((l) => l.msg),
        ['stopped'],
      );
    }
  });
});

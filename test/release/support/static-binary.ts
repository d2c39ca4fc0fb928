// A tiny static Go binary (prints its first argument, or "static"): stands in for the pause and
// proxy binaries that the one-binary images are made of.

import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runOk } from '../../capture/support/exec.js';

const MAIN = `package main

import "os"

func main() {
	msg := "static"
	if len(os.Args) > 1 {
		msg = os.Args[1]
	}
	os.Stdout.WriteString(msg + "\\n")
}
`;

/** Builds it in dir (CGO_ENABLED=0, so no libc) and returns its path. */
export async function buildStaticBinary(dir: string): Promise<string> {
  const src = join(dir, 'static-src');
  mkdirSync(src, { recursive: true });
  writeFileSync(join(src, 'go.mod'), 'module example.local/static\n\ngo 1.22\n');
  writeFileSync(join(src, 'main.go'), MAIN);
  const out = join(dir, 'static-bin');
  await runOk('go', ['build', '-o', out, '.'], {
    cwd: src,
    env: { ...process.env, CGO_ENABLED: '0', GOFLAGS: '-mod=mod' },
    timeoutMs: 170_000,
  });
  return out;
}

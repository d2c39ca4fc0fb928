// The one way a script module runs as a command (`node dist/scripts/x/main.js ...`) and stays
// importable: main runs only when this module is the process's entry point.
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

function isEntryPoint(moduleUrl: string): boolean {
  const entry = process.argv[1];
  if (!entry) return false;
  const strip = (p: string): string => p.replace(/\.[cm]?[jt]s$/, '');
  try {
    return strip(realpathSync(entry)) === strip(realpathSync(fileURLToPath(moduleUrl)));
  } catch {
    return false;
  }
}

/** Runs main(argv) and exits with its code when moduleUrl is the entry point; errors exit 1 with their stack. */
export function runIfEntryPoint(moduleUrl: string, main: (argv: string[]) => Promise<number>): void {
  if (!isEntryPoint(moduleUrl)) return;
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
      process.exit(1);
    },
  );
}

import { readAll } from '../kube/manifests.js';

/** The streams a command writes to; passed in so commands are testable without spawning. */
export interface CommandIo {
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown };
  /** Standard input as text (for `-f -`). */
  readonly readStdin?: () => Promise<string>;
}

export const EXIT_OK = 0;
export const EXIT_FINDINGS = 1;
export const EXIT_USAGE = 2;

export const processIo: CommandIo = {
  stdout: process.stdout,
  stderr: process.stderr,
  readStdin: () => readAll(process.stdin),
};

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, release, totalmem, type as osType } from 'node:os';

export interface MachineInfo {
  readonly cpus: number;
  readonly cpuModel: string;
  readonly memGb: number;
  readonly os: string;
  readonly node: string;
  readonly openssl: string;
  readonly autocannon: string;
}

export function machineInfo(): MachineInfo {
  const require = createRequire(import.meta.url);
  let autocannon = 'unknown';
  try {
    autocannon = (JSON.parse(readFileSync(require.resolve('autocannon/package.json'), 'utf8')) as { version: string }).version;
  } catch {
    // reported as unknown
  }
  const list = cpus();
  return {
    cpus: list.length,
    cpuModel: list[0]?.model.trim() ?? 'unknown',
    memGb: Math.round(totalmem() / 1024 ** 3),
    os: `${osType()} ${release()}`,
    node: process.version,
    openssl: process.versions.openssl ?? 'unknown',
    autocannon,
  };
}

import { execFileSync } from 'node:child_process';
import { parseAllDocuments } from 'yaml';
import { ensureControlPlaneBinaries } from '../../scripts/control-plane/ensure-binaries.js';

/** `kubectl kustomize DIR` with the kubectl built from Go modules, parsed. */
export async function kustomize(dir: string): Promise<Array<Record<string, any>>> {
  const { kubectl } = await ensureControlPlaneBinaries();
  const text = execFileSync(kubectl, ['kustomize', dir], { encoding: 'utf8' });
  return parseAllDocuments(text).map((d) => d.toJS() as Record<string, any>);
}

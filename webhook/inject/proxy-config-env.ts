import { createHash } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';
import { INIT_CONTAINER_NAME } from '../config/names.js';

// How the proxy's per-pod config reaches the pod: meshward-init's env carries the rendered files
// (bootstrap + SDS) gzip-compressed, and writes them into the meshward-config volume before the
// proxy starts (webhook/capture/meshward-init.sh). The bootstrap is ~16 KB of very repetitive
// JSON; compressed it is ~2 KB, which keeps the admission patch (and every pod object stored in
// etcd) small. Decoded, it is the exact text the injector rendered: `meshward inject` and
// `unpackProxyConfig` show it, and the SHA-256 lets meshward-init refuse a truncated or altered value.

/** gzip + base64 of the packed files (below). */
export const PROXY_CONFIG_ENV = 'MESHWARD_PROXY_CONFIG';
/** Hex SHA-256 of the packed files, checked by meshward-init before it writes anything. */
export const PROXY_CONFIG_SHA256_ENV = 'MESHWARD_PROXY_CONFIG_SHA256';
/** Where meshward-init writes the files (the meshward-config volume). */
export const PROXY_CONFIG_DIR_ENV = 'MESHWARD_PROXY_CONFIG_DIR';

export interface ProxyConfigFile {
  /** A plain file name: letters, digits, '.', '-', '_'. */
  readonly name: string;
  /** One line of JSON (JSON.stringify output has no raw newline or tab). */
  readonly text: string;
}

const FILE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** One `<name>\t<json>\n` line per file: trivially split by awk in meshward-init. */
function packText(files: readonly ProxyConfigFile[]): string {
  let out = '';
  for (const f of files) {
    if (!FILE_NAME.test(f.name)) throw new Error(`proxy config file name ${JSON.stringify(f.name)} must match ${FILE_NAME}`);
    if (/[\n\t]/.test(f.text)) throw new Error(`proxy config file ${f.name} must be one line of JSON (no newline or tab)`);
    out += `${f.name}\t${f.text}\n`;
  }
  return out;
}

export function packProxyConfig(files: readonly ProxyConfigFile[], configDir: string): Array<{ name: string; value: string }> {
  const text = packText(files);
  return [
    { name: PROXY_CONFIG_DIR_ENV, value: configDir },
    // mtime 0 (Node's default gzip header) keeps the output a pure function of the files.
    { name: PROXY_CONFIG_ENV, value: gzipSync(text, { level: 9 }).toString('base64') },
    { name: PROXY_CONFIG_SHA256_ENV, value: createHash('sha256').update(text).digest('hex') },
  ];
}

/** The files packed in a MESHWARD_PROXY_CONFIG value; throws with the reason when it is not one. */
export function unpackProxyConfig(value: string, sha256?: string): ProxyConfigFile[] {
  let text: string;
  try {
    text = gunzipSync(Buffer.from(value, 'base64')).toString('utf8');
  } catch (err) {
    throw new Error(`${PROXY_CONFIG_ENV} is not gzip + base64: ${(err as Error).message}`);
  }
  if (sha256 !== undefined && createHash('sha256').update(text).digest('hex') !== sha256) {
    throw new Error(`${PROXY_CONFIG_ENV} does not match ${PROXY_CONFIG_SHA256_ENV}`);
  }
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => {
      const tab = line.indexOf('\t');
      const name = line.slice(0, tab);
      if (tab < 0 || !FILE_NAME.test(name)) throw new Error(`${PROXY_CONFIG_ENV} has a line that is not "<file name><TAB><json>"`);
      return { name, text: line.slice(tab + 1) };
    });
}

/** The proxy's files as meshward-init in this pod spec would write them (name → JSON text). */
export function proxyConfigFromPodSpec(
  spec: { initContainers?: ReadonlyArray<{ name?: string; env?: ReadonlyArray<{ name?: string; value?: string }> }> } | undefined,
): Record<string, string> {
  const env = spec?.initContainers?.find((c) => c.name === INIT_CONTAINER_NAME)?.env ?? [];
  const value = (name: string): string | undefined => env.find((e) => e.name === name)?.value;
  const packed = value(PROXY_CONFIG_ENV);
  if (packed === undefined) throw new Error(`no ${INIT_CONTAINER_NAME} with ${PROXY_CONFIG_ENV} in spec.initContainers`);
  return Object.fromEntries(unpackProxyConfig(packed, value(PROXY_CONFIG_SHA256_ENV)).map((f) => [f.name, f.text]));
}

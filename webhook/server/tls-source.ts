import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { ServerConfig } from '../config/types.js';
import { generateSelfSigned } from './self-signed.js';
import { readTlsPair, watchTlsPair, type TlsPair, type TlsWatchHandle } from './tls-files.js';

export interface TlsSource {
  readonly pair: TlsPair;
  /** PEM CA bundle clients should trust (self-signed mode only). */
  readonly caBundlePath?: string;
  /** Starts watching for rotation (file mode); returns a handle to stop. */
  watch(onChange: (pair: TlsPair) => void): TlsWatchHandle;
}

/** Serving credentials: generated in memory (--self-signed) or read from files and watched. */
export function openTlsSource(config: ServerConfig, logger: Logger, now: Date): TlsSource {
  if (config.selfSigned) {
    const bundle = generateSelfSigned(now);
    const dir = config.selfSignedDir || mkdtempSync(join(tmpdir(), 'meshward-self-signed-'));
    mkdirSync(dir, { recursive: true });
    const caBundlePath = join(dir, 'ca.crt');
    writeFileSync(caBundlePath, bundle.caCert);
    return { pair: { cert: bundle.cert, key: bundle.key }, caBundlePath, watch: () => ({ close: () => undefined }) };
  }
  const pair = readTlsPair(config.certFile, config.keyFile);
  return {
    pair,
    watch: (onChange) =>
      watchTlsPair(config.certFile, config.keyFile, onChange, (err) =>
        logger.error({ err }, 'serving certificate reload failed; keeping the previous certificate'),
      ),
  };
}

/** A certificate handed over by a controller, which also delivers its rotations (onListening). */
export function managedTlsSource(pair: TlsPair): TlsSource {
  return { pair, watch: () => ({ close: () => undefined }) };
}

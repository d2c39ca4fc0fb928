import { watch, readFileSync, type FSWatcher } from 'node:fs';
import { dirname } from 'node:path';
import { createSecureContext } from 'node:tls';

export interface TlsPair {
  readonly cert: string;
  readonly key: string;
}

// TLS 1.2 suites: ECDHE with AEAD ciphers only (TLS 1.3 suites are always on in Node).
export const TLS12_CIPHERS = [
  'ECDHE-ECDSA-AES128-GCM-SHA256',
  'ECDHE-RSA-AES128-GCM-SHA256',
  'ECDHE-ECDSA-AES256-GCM-SHA384',
  'ECDHE-RSA-AES256-GCM-SHA384',
  'ECDHE-ECDSA-CHACHA20-POLY1305',
  'ECDHE-RSA-CHACHA20-POLY1305',
].join(':');

/** Reads a cert/key pair and proves it usable (key matches cert) before anyone serves it. */
export function readTlsPair(certFile: string, keyFile: string): TlsPair {
  const pair = { cert: readFileSync(certFile, 'utf8'), key: readFileSync(keyFile, 'utf8') };
  createSecureContext(pair);
  return pair;
}

export interface TlsWatchHandle {
  close(): void;
}

/**
 * Calls onChange with the new pair when either file changes. Kubernetes Secret volumes swap a
 * `..data` symlink, so the parent directories are watched, not the files; a poll backs up fs.watch
 * (which can miss events on some filesystems). A half-written or mismatched pair is reported to
 * onError and the old pair stays in service.
 */
export function watchTlsPair(
  certFile: string,
  keyFile: string,
  onChange: (pair: TlsPair) => void,
  onError: (err: Error) => void,
  pollMs = 10_000,
): TlsWatchHandle {
  let last = '';
  try {
    const current = readTlsPair(certFile, keyFile);
    last = current.cert + current.key;
  } catch {
    // The first successful read below will report it.
  }
  let timer: NodeJS.Timeout | undefined;
  const check = (): void => {
    try {
      const pair = readTlsPair(certFile, keyFile);
      if (pair.cert + pair.key === last) return;
      last = pair.cert + pair.key;
      onChange(pair);
    } catch (err) {
      onError(err as Error);
    }
  };
  const schedule = (): void => {
    clearTimeout(timer);
    timer = setTimeout(check, 100);
  };
  const watchers: FSWatcher[] = [];
  for (const dir of new Set([dirname(certFile), dirname(keyFile)])) {
    try {
      watchers.push(watch(dir, schedule));
    } catch (err) {
      onError(err as Error);
    }
  }
  const poll = setInterval(check, pollMs);
  poll.unref();
  return {
    close(): void {
      clearTimeout(timer);
      clearInterval(poll);
      for (const w of watchers) w.close();
    },
  };
}

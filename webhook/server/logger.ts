import { pino, stdSerializers, type DestinationStream, type Logger } from 'pino';
import type { LogLevel } from '../config/types.js';

/**
 * The process logger, writing stdout synchronously: an asynchronous write still in flight at exit
 * makes pino's exit hook write the rest beside it, and on a slow pipe (the kubelet's) the last
 * lines of a shutdown then come out of order, interleaved or not at all.
 * Admission lines carry only identifiers (uid, kind, namespace, name) and
 * decisions; redaction is a second line of defence against secrets reaching a log.
 */
export function createLogger(level: LogLevel, destination?: DestinationStream): Logger {
  const options = {
    level,
    base: { app: 'meshward' },
    serializers: { err: stdSerializers.err },
    redact: { paths: ['*.key', '*.privateKey', '*.tls.key', 'headers.authorization', '*.token'], censor: '[redacted]' },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  return pino(options, destination ?? pino.destination({ dest: 1, sync: true }));
}

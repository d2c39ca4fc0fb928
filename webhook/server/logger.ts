import { pino, stdSerializers, type DestinationStream, type Logger } from 'pino';
import type { LogLevel } from '../config/types.js';

/**
 * The process logger. Admission lines carry only identifiers (uid, kind, namespace, name) and
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
  return destination ? pino(options, destination) : pino(options);
}

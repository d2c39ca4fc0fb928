import type { Logger } from 'pino';

/**
 * SIGTERM/SIGINT: stop gracefully (readiness off, in-flight requests finished) and exit 0; a second
 * signal exits at once. Kubernetes sends SIGTERM after removing the pod from endpoints.
 */
export function exitOnSignals(stop: () => Promise<{ forced: boolean }>, logger: Logger, exit: (code: number) => void = process.exit): void {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (stopping) {
      logger.warn({ signal }, 'second signal: exiting now');
      exit(1);
      return;
    }
    stopping = true;
    logger.info({ signal }, 'shutting down: finishing in-flight requests');
    stop().then(
      ({ forced }) => {
        logger.info({ forced }, 'stopped');
        logger.flush?.();
        exit(0);
      },
      (err: unknown) => {
        logger.error({ err }, 'shutdown failed');
        exit(1);
      },
    );
  };
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
}

import type { Logger } from 'pino';

/**
 * SIGTERM/SIGINT: stop gracefully (RunningMeshward.terminate: readiness off, the shutdown delay,
 * in-flight requests finished, controllers stopped) and exit 0; a second signal exits at once. The
 * kubelet sends SIGTERM while, not after, the pod is being removed from endpoints.
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
    const started = performance.now();
    logger.info({ signal }, 'shutting down');
    stop().then(
      ({ forced }) => {
        logger.info({ forced, ms: Math.round(performance.now() - started) }, 'stopped');
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

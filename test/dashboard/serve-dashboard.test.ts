import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:net';
import { pino } from 'pino';
import { Writable } from 'node:stream';
import { buildConfig } from '../../webhook/config/load.js';
import { startServeDashboard } from '../../webhook/dashboard/serve-dashboard.js';
import { StaticClusterState } from '../../webhook/kube/static-state.js';
import { CONFIG_HASH, mixedCluster, templates } from '../status/fixtures.js';

// The wire-up for `meshward serve`: off at port 0, loopback by default, never fatal.

async function listening(): Promise<Server> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return server;
}

function capture(): { logger: pino.Logger; lines: () => string } {
  let text = '';
  const sink = new Writable({ write: (chunk, _enc, done) => ((text += chunk.toString()), done()) });
  return { logger: pino({ level: 'info' }, sink), lines: () => text };
}

describe('startServeDashboard', () => {
  it('stays off at server.dashboardPort 0', async () => {
    assert.equal(
      await startServeDashboard({
        config: buildConfig({}),
        cluster: new StaticClusterState(),
        templateHash: templates.hash,
        configHash: CONFIG_HASH,
      }),
      undefined,
    );
  });

  it('serves the dashboard on server.dashboardHost (127.0.0.1 by default) and logs the URL', async () => {
    const probe = await listening();
    const port = (probe.address() as { port: number }).port;
    await new Promise((r) => probe.close(r));
    const config = buildConfig({ flags: { 'dashboard-port': String(port) } });
    assert.equal(config.server.dashboardHost, '127.0.0.1');
    const log = capture();
    const server = await startServeDashboard({
      config,
      cluster: new StaticClusterState(await mixedCluster()),
      templateHash: templates.hash,
      configHash: CONFIG_HASH,
      logger: log.logger,
    });
    try {
      assert.ok(server);
      assert.equal(server.url, `http://127.0.0.1:${port}/`);
      const page = await (await fetch(server.url)).text();
      assert.match(page, /data-namespace="payments"/);
      assert.match(log.lines(), /dashboard listening/);
    } finally {
      await server?.close();
    }
  });

  it('logs and carries on when the port is taken', async () => {
    const taken = await listening();
    try {
      const port = (taken.address() as { port: number }).port;
      const log = capture();
      const server = await startServeDashboard({
        config: buildConfig({ flags: { 'dashboard-port': String(port) } }),
        cluster: new StaticClusterState(),
        templateHash: templates.hash,
        configHash: CONFIG_HASH,
        logger: log.logger,
      });
      assert.equal(server, undefined);
      assert.match(log.lines(), /dashboard could not listen; the webhooks keep running/);
      assert.match(log.lines(), /EADDRINUSE/);
    } finally {
      await new Promise((r) => taken.close(r));
    }
  });
});

// Real iptables in real network namespaces: pods A, B and C get their rules from meshward-init.sh
// (the script the init container runs), then probes show where each connection landed and the
// SO_ORIGINAL_DST the proxy would read there.

import assert from 'node:assert/strict';
import { NetnsLab, SWITCH, type DialOptions, type ProbeReport } from './support/netns-lab.js';
import { APP_UID, initEnvFor, POD_A, POD_B, POD_C, PROXY_UID } from './support/pods.js';
import { netnsPrerequisites } from './support/prerequisites.js';

const APP: DialOptions = { uid: APP_UID, gid: APP_UID };
const PROXY: DialOptions = { uid: PROXY_UID, gid: PROXY_UID };
const FAMILIES = [
  { family: 'IPv4', a: '10.250.0.1', b: '10.250.0.2', b2: '10.250.0.3', lo: '127.0.0.1', passthrough: '127.0.0.6' },
  { family: 'IPv6', a: 'fd00:250::1', b: 'fd00:250::2', b2: 'fd00:250::3', lo: '::1', passthrough: '::6' },
] as const;
const hp = (host: string, port: number): string => (host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`);

describe('capture in network namespaces (real iptables)', function () {
  this.timeout(10_000);
  let lab: NetnsLab | undefined;

  before(async function () {
    this.timeout(300_000);
    const probe = await netnsPrerequisites(this);
    lab = await NetnsLab.create(probe, [POD_A, POD_B, POD_C]);
    for (const pod of [POD_A, POD_B, POD_C]) {
      const r = await lab.applyInit(pod.name, initEnvFor(pod));
      assert.equal(r.code, 0, `meshward-init.sh in pod ${pod.name} failed:\n${r.stdout}\n${r.stderr}`);
    }
  });

  after(async () => {
    await lab?.destroy();
  });

  const lands = async (from: string, target: string, opts: DialOptions, listener: string, origDst?: string): Promise<ProbeReport> => {
    const report = await lab!.dial(from, target, opts);
    assert.equal(report.listener, listener, `${from} → ${target}: landed on ${report.listener} (${JSON.stringify(report)})`);
    if (origDst !== undefined) assert.equal(report.origDst, origDst, `${from} → ${target}: original destination`);
    return report;
  };

  for (const f of FAMILIES) {
    describe(f.family, () => {
      it("outbound: an app's connection to B lands on A's 15001 with B's address and port as original destination", async () => {
        await lands('a', hp(f.b, 8080), APP, 'a-outbound', hp(f.b, 8080));
      });

      it('outbound: the same connection as UID/GID 1337 (the proxy) is not captured and reaches B', async () => {
        await lands('a', hp(f.b, 8080), PROXY, 'b-inbound', hp(f.b, 8080));
        await lands('a', hp(f.b, 9000), PROXY, 'b-app9000');
      });

      it('outbound: GID 1337 alone is enough to bypass capture (why the gate forbids it for apps)', async () => {
        await lands('a', hp(f.b, 8080), { uid: APP_UID, gid: PROXY_UID }, 'b-inbound');
      });

      it('outbound: exclude-outbound-ports and exclude-outbound-cidrs bypass capture', async () => {
        await lands('a', hp(f.b, 5432), APP, 'b-inbound', hp(f.b, 5432));
        await lands('a', hp(f.b2, 8080), APP, 'b-inbound', hp(f.b2, 8080));
      });

      it('outbound: include-outbound-cidrs captures only the listed destinations', async () => {
        await lands('c', hp(f.b, 8080), APP, 'c-outbound', hp(f.b, 8080));
        await lands('c', hp(f.b2, 8080), APP, 'b-inbound', hp(f.b2, 8080));
      });

      it("outbound: app-to-app traffic on loopback and to the pod's own IP is not captured", async () => {
        await lands('a', hp(f.lo, 8080), APP, 'a-app');
        await lands('a', hp(f.a, 8080), APP, 'a-app');
      });

      it("the proxy calling its own pod's IP goes to its inbound listener (service VIP case), without loops", async () => {
        await lands('a', hp(f.a, 8080), PROXY, 'a-inbound', hp(f.a, 8080));
        // Forwarding to the app: on loopback, or on the pod IP from the passthrough source.
        await lands('a', hp(f.lo, 8080), PROXY, 'a-app');
        await lands('a', hp(f.a, 8080), { ...PROXY, bind: f.passthrough }, 'a-app');
      });

      it("inbound: a connection to B's app port lands on B's 15006 with the original port", async () => {
        await lands(SWITCH, hp(f.b, 8080), {}, 'b-inbound', hp(f.b, 8080));
        await lands(SWITCH, hp(f.b2, 5432), {}, 'b-inbound', hp(f.b2, 5432));
      });

      it('inbound: exclude-inbound-ports and the proxy ports 15020/15021/15090 reach their listeners directly', async () => {
        await lands(SWITCH, hp(f.b, 9000), {}, 'b-app9000');
        await lands(SWITCH, hp(f.b, 15020), {}, 'b-status');
        await lands(SWITCH, hp(f.b, 15021), {}, 'b-ready');
        await lands(SWITCH, hp(f.b, 15090), {}, 'b-metrics');
      });
    });
  }
});

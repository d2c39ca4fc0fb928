import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { stringify } from 'yaml';
import { repoRoot } from '../../scripts/control-plane/ensure-binaries.js';
import { mixedCluster, TRUST_ROOT } from '../status/fixtures.js';

// The dashboard in real headless Chromium (Debian's package, driven by playwright-core: no
// downloaded browser), served by the real `meshward status --serve` over a mixed cluster given
// as manifests (--state). Saves test-output/dashboard.png.

const root = repoRoot();
const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];
const SCREENSHOT = join(root, 'test-output', 'dashboard.png');

function ensureChromium(): string | undefined {
  if (existsSync(CHROMIUM)) return undefined;
  const res = spawnSync('sh', [join(root, 'scripts/install-chromium.sh')], { encoding: 'utf8', timeout: 600_000 });
  return existsSync(CHROMIUM)
    ? undefined
    : `chromium is not installed and scripts/install-chromium.sh failed: ${res.stderr || res.error?.message || `exit ${res.status}`}`;
}

/** Starts `meshward status --serve` and resolves with the URL it prints. */
function startStatusServer(stateFile: string): Promise<{ child: ChildProcess; url: string; log: () => string }> {
  const main = join(root, 'dist/webhook/cli/main.js');
  if (!existsSync(main)) throw new Error(`${main} is missing: run npm run build (npm test builds it)`);
  const child = spawn(process.execPath, [main, 'status', '--serve', '--port', '0', '--state', stateFile, '--trust-root', TRUST_ROOT], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`meshward status --serve printed no URL within 20 s: ${out}`));
    }, 20_000);
    const check = (): void => {
      const match = /dashboard at (http:\/\/127\.0\.0\.1:\d+\/)/.exec(out);
      if (match) {
        clearTimeout(timer);
        resolve({ child, url: match[1]!, log: () => out });
      }
    };
    child.stdout!.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`meshward status --serve exited with ${code}: ${out}`));
    });
  });
}

async function stop(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}

describe('e2e: the dashboard in headless Chromium', function () {
  this.timeout(60_000);
  let dir: string;
  let server: { child: ChildProcess; url: string; log: () => string } | undefined;
  let browser: Browser | undefined;
  let page: Page;

  before(async function () {
    this.timeout(660_000); // a first apt-get install of chromium
    const missing = ensureChromium();
    // Never skipped: without root, install Debian's chromium first (sudo scripts/install-chromium.sh).
    if (missing) throw new Error(missing);
    dir = mkdtempSync(join(tmpdir(), 'meshward-dashboard-'));
    const stateFile = join(dir, 'cluster.yaml');
    writeFileSync(stateFile, (await mixedCluster()).map((o) => stringify(o)).join('---\n'));
    server = await startStatusServer(stateFile);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, timeout: 30_000 });
    page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  });

  after(async () => {
    await browser?.close();
    await stop(server?.child);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('shows a namespace with its workloads and a violation with its rule ID, and saves a screenshot', async () => {
    const res = await page.goto(server!.url);
    assert.equal(res?.status(), 200);
    assert.equal(await page.title(), 'meshward · mTLS status');
    const payments = page.locator('section[data-namespace="payments"]');
    assert.match(
      (await payments.locator('.ns-head').innerText()).replace(/\s+/g, ' '),
      // One violation (the opted-out pod): modes reach proxies live, so no proxy runs weaker than its policy.
      /payments requires STRICT inject enabled STRICT violated 1 to restart 3\/4 pods meshed/,
    );
    // Offline (--state): the proxies' state and counters are unknown, said once, and nothing fails.
    assert.match(await page.locator('.telemetry').innerText(), /proxies offline: manifests carry no proxy state · counters offline/);
    const workloads = await payments.locator('tr.workload').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-workload')));
    assert.deepEqual(workloads, ['Deployment/api', 'Pod/batch', 'StatefulSet/cache', 'StatefulSet/db']);
    assert.equal((await payments.locator('tr[data-workload="Pod/batch"] td').nth(4).innerText()).trim(), 'violation');
    const violations = await payments.locator('ul.violations li').allInnerTexts();
    assert.ok(
      violations.some((v) => /^MW-INJECT-001\s*Pod batch metadata\.labels\["meshward\.io\/inject"\]/.test(v)),
      violations.join('\n'),
    );
    assert.match(await payments.locator('tr[data-pod="api-6c9d-xyz"]').innerText(), /trust-root: trusts an older root/);
    // The page fits a laptop screen's width: no horizontal scrolling.
    assert.ok(await page.evaluate('document.documentElement.scrollWidth <= window.innerWidth'), 'no horizontal scroll at 1440 px');
    mkdirSync(join(root, 'test-output'), { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    const png = readFileSync(SCREENSHOT);
    assert.deepEqual([...png.subarray(1, 4)], [...Buffer.from('PNG')]);
    assert.ok(statSync(SCREENSHOT).size > 20_000, 'a real rendering, not a blank page');
  });

  it('filters with the form (plain GET, no script): one namespace, problems only', async () => {
    await page.goto(server!.url);
    await page.selectOption('select[name="namespace"]', 'shop');
    await page.selectOption('select[name="show"]', 'problems');
    await Promise.all([page.waitForURL(/namespace=shop/), page.click('form.filters button')]);
    assert.match(page.url(), /\?namespace=shop&show=problems/);
    const sections = await page.locator('section.ns').evaluateAll((s) => s.map((e) => e.getAttribute('data-namespace')));
    assert.deepEqual(sections, ['shop']);
    const workloads = await page.locator('tr.workload').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-workload')));
    assert.deepEqual(workloads, ['Pod/legacy']);
  });
});

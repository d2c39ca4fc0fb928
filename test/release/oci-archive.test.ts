// The OCI archive writer on small rootfs directories: the layout containerd imports (index
// annotations, manifest, config, diff_ids), reproducibility (mtimes, owners and creation order do
// not change the digest; content does), the one-binary image, and the Dockerfile reader.

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assertStaticElf } from '../../scripts/images/binary-rootfs.js';
import { buildBinaryImage } from '../../scripts/images/builders.js';
import { DEFAULT_PATH_ENV, stageImageConfig } from '../../scripts/images/dockerfile.js';
import { imageTag, writeOciArchive, type ImageSpec } from '../../scripts/images/oci-archive.js';
import { runOk } from '../capture/support/exec.js';
import { layerFiles, openOciArchive } from './support/oci.js';
import { buildStaticBinary } from './support/static-binary.js';

const CONFIG = { User: '65532:65532', Entrypoint: ['/bin/app'], Cmd: ['serve'], Env: [DEFAULT_PATH_ENV], WorkingDir: '/' };

describe('OCI image archives (scripts/images/oci-archive.ts)', function () {
  this.timeout(60_000);
  let tmp: string;
  before(() => (tmp = mkdtempSync(join(tmpdir(), 'meshward-oci-test-'))));
  after(() => rmSync(tmp, { recursive: true, force: true }));

  /** The same files, made in the given order with the given mtime. */
  const rootfs = (dir: string, order: readonly string[], mtime: number): string => {
    const root = join(tmp, dir);
    for (const name of order) {
      mkdirSync(join(root, 'bin'), { recursive: true });
      writeFileSync(join(root, 'bin', name), `#!/bin/sh\necho ${name}\n`);
      chmodSync(join(root, 'bin', name), 0o755);
      utimesSync(join(root, 'bin', name), mtime, mtime);
    }
    mkdirSync(join(root, 'tmp'), { mode: 0o1777 });
    chmodSync(join(root, 'tmp'), 0o1777);
    symlinkSync('b', join(root, 'bin', 'link'));
    return root;
  };
  const spec = (root: string, extra: Partial<ImageSpec> = {}): ImageSpec => ({
    name: 'meshward.local/test:dev',
    rootfs: root,
    config: CONFIG,
    ...extra,
  });

  it('writes the layout containerd imports: index annotated with the name and tag, one manifest, config, layer', async () => {
    const built = await writeOciArchive(spec(rootfs('layout', ['a', 'b'], 1_000)), join(tmp, 'layout.tar'));
    const image = await openOciArchive(built.path);
    try {
      assert.deepEqual(
        image.entries.filter((e) => !e.startsWith('blobs/')),
        ['oci-layout', 'index.json'],
      );
      assert.deepEqual(JSON.parse(readFileSync(join(image.dir, 'oci-layout'), 'utf8')), { imageLayoutVersion: '1.0.0' });
      const [descriptor] = image.index.manifests;
      assert.equal(descriptor!.digest, built.digest);
      assert.deepEqual(descriptor!.annotations, {
        'io.containerd.image.name': 'meshward.local/test:dev',
        'org.opencontainers.image.ref.name': 'dev',
      });
      assert.deepEqual(descriptor!.platform, { architecture: 'amd64', os: 'linux' });
      assert.equal(image.manifest.config.digest, built.configDigest);
      assert.equal(image.manifest.layers[0]!.mediaType, 'application/vnd.oci.image.layer.v1.tar+gzip');
      assert.equal(image.config.architecture, 'amd64');
      assert.equal(image.config.os, 'linux');
      assert.deepEqual(image.config.config, CONFIG);
      const tar = await runOk('sh', ['-c', 'gzip -dc "$1" | sha256sum', 'sh', image.layerPath]);
      assert.deepEqual(image.config.rootfs, { type: 'layers', diff_ids: [`sha256:${tar.split(' ')[0]}`] });
      assert.deepEqual([...(await layerFiles(image))].sort(), ['bin', 'bin/a', 'bin/b', 'bin/link', 'tmp']);
      const listing = await runOk('tar', ['-tvf', image.layerPath]);
      assert.match(listing, /^drwxrwxrwt 0\/0 .* 1970-01-01 00:00 tmp\/$/m, '/tmp keeps 1777; root owner; mtime 0');
      assert.doesNotMatch(listing, /PaxHeaders|atime|ctime/);
    } finally {
      image.remove();
    }
  });

  it('is reproducible: mtimes, owners and creation order do not change the digest, content does', async () => {
    const first = await writeOciArchive(spec(rootfs('r1', ['a', 'b'], 1_000)), join(tmp, 'r1.tar'));
    const other = rootfs('r2', ['b', 'a'], 2_000_000);
    chownSync(join(other, 'bin', 'a'), 1234, 1234);
    const second = await writeOciArchive(spec(other), join(tmp, 'r2.tar'));
    assert.equal(second.digest, first.digest);
    assert.equal(second.configDigest, first.configDigest);
    const sha = (p: string): string => createHash('sha256').update(readFileSync(p)).digest('hex');
    assert.equal(sha(second.path), sha(first.path), 'the archive files are byte for byte the same');
    writeFileSync(join(other, 'bin', 'a'), 'changed');
    assert.notEqual((await writeOciArchive(spec(other), join(tmp, 'r3.tar'))).digest, first.digest);
    const plain = await writeOciArchive(spec(other, { compression: 'none' }), join(tmp, 'r4.tar'));
    const image = await openOciArchive(plain.path);
    assert.equal(image.manifest.layers[0]!.mediaType, 'application/vnd.oci.image.layer.v1.tar');
    image.remove();
  });

  it('names the tag of a reference, latest when it has none', () => {
    assert.equal(imageTag('meshward.local/pause:3.10'), '3.10');
    assert.equal(imageTag('localhost:5000/meshward'), 'latest');
  });

  it('builds a one-binary image from a static binary and refuses a dynamically linked one', async function () {
    this.timeout(180_000);
    const binary = await buildStaticBinary(tmp);
    await assertStaticElf(binary);
    await assert.rejects(assertStaticElf('/bin/ls'), /\/bin\/ls is dynamically linked .*build it static/);
    await assert.rejects(assertStaticElf(join(tmp, 'layout.tar')), /is not a 64-bit ELF executable/);
    const built = await buildBinaryImage({
      name: 'meshward.local/pause:3.10',
      binary,
      path: '/pause',
      user: '65535:65535',
      out: join(tmp, 'pause.tar'),
    });
    const image = await openOciArchive(built.path);
    try {
      assert.deepEqual([...(await layerFiles(image))], ['pause']);
      assert.deepEqual(image.config.config, { User: '65535:65535', Env: [DEFAULT_PATH_ENV], Entrypoint: ['/pause'] });
    } finally {
      image.remove();
    }
  });
});

describe('Dockerfile stage config (scripts/images/dockerfile.ts)', () => {
  const dockerfile = [
    'FROM node:24 AS build',
    'RUN echo \\',
    '  # a comment inside',
    '  done',
    'FROM scratch AS app',
    'USER 65532:65532',
    'ENV A=1 B="two words" \\',
    '    C=3',
    'ENV LEGACY some value',
    'WORKDIR /app',
    'ENTRYPOINT ["/bin/app", "--flag"]',
    'CMD ["serve"]',
  ].join('\n');

  it("reads USER, ENV, WORKDIR, ENTRYPOINT and CMD of a FROM scratch stage, adding BuildKit's default PATH", () => {
    assert.deepEqual(stageImageConfig(dockerfile, 'app'), {
      User: '65532:65532',
      Env: [DEFAULT_PATH_ENV, 'A=1', 'B=two words', 'C=3', 'LEGACY=some value'],
      Entrypoint: ['/bin/app', '--flag'],
      Cmd: ['serve'],
      WorkingDir: '/app',
    });
    assert.deepEqual(stageImageConfig('FROM scratch AS s\nENV A=1 PATH=/bin', 's').Env, ['PATH=/bin', 'A=1'], 'PATH replaced in place');
  });

  it('refuses a stage it cannot reproduce without a container engine, and says why', () => {
    assert.throws(() => stageImageConfig(dockerfile, 'build'), /stage build starts FROM node:24; only FROM scratch stages/);
    assert.throws(() => stageImageConfig(dockerfile, 'nope'), /no stage "nope"/);
    assert.throws(() => stageImageConfig('FROM scratch AS s\nCMD serve', 's'), /CMD serve is not in exec form/);
  });
});

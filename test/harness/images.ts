/**
 * Container images built from local files only (no registry): a busybox image from Debian's
 * static busybox (every applet linked) and a static pause built with gcc, each written as an
 * OCI image layout tar that `ctr images import` takes; on demand, a static gRPC health server
 * (grpc-health-server.c) for gRPC probes. Built once per machine and cached under
 * `<tmpdir>/k8ts-images/<hash of inputs>/` (written to a temp name, then renamed, so concurrent
 * test processes never see half a file).
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

export const BUSYBOX_IMAGE = 'localhost/k8ts/busybox:1';
export const PAUSE_IMAGE = 'localhost/k8ts/pause:1';
/** `/grpc-health-server PORT [SECS]`: see grpc-health-server.c. */
export const GRPC_HEALTH_IMAGE = 'localhost/k8ts/grpc-health:1';

const BUSYBOX_BINARY = '/bin/busybox';
const BUILDER_VERSION = '1';

const PAUSE_C = `#include <signal.h>
#include <unistd.h>
#include <sys/wait.h>
static void stop(int s) { (void)s; _exit(0); }
static void reap(int s) { (void)s; while (waitpid(-1, 0, WNOHANG) > 0) {} }
int main(void) {
  signal(SIGTERM, stop);
  signal(SIGINT, stop);
  signal(SIGCHLD, reap);
  for (;;) pause();
}
`;

export interface LocalImages {
  readonly busyboxTar: string;
  readonly pauseTar: string;
}

const sha256 = (data: Buffer | string): string => createHash('sha256').update(data).digest('hex');

/** An OCI layout tar of one single-layer image made from `rootfs`. */
function writeOciImage(
  rootfs: string,
  name: string,
  config: object,
  out: string,
  work: string,
): void {
  const blobs = join(work, 'blobs', 'sha256');
  mkdirSync(blobs, { recursive: true });
  const blob = (data: Buffer | string): { digest: string; size: number } => {
    const d = sha256(data);
    writeFileSync(join(blobs, d), data);
    return { digest: `sha256:${d}`, size: Buffer.byteLength(data) };
  };
  const layerTar = execFileSync(
    'tar',
    [
      '--sort=name',
      '--owner=0',
      '--group=0',
      '--numeric-owner',
      '--mtime=@0',
      '-C',
      rootfs,
      '-cf',
      '-',
      '.',
    ],
    { maxBuffer: 256 * 1024 * 1024 },
  );
  const layer = blob(gzipSync(layerTar));
  const imageConfig = blob(
    JSON.stringify({
      architecture: process.arch === 'x64' ? 'amd64' : process.arch,
      os: 'linux',
      config,
      rootfs: { type: 'layers', diff_ids: [`sha256:${sha256(layerTar)}`] },
    }),
  );
  const manifest = blob(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...imageConfig },
      layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', ...layer }],
    }),
  );
  writeFileSync(
    join(work, 'index.json'),
    JSON.stringify({
      schemaVersion: 2,
      manifests: [
        {
          mediaType: 'application/vnd.oci.image.manifest.v1+json',
          ...manifest,
          annotations: {
            'io.containerd.image.name': name,
            'org.opencontainers.image.ref.name': name,
          },
        },
      ],
    }),
  );
  writeFileSync(join(work, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
  execFileSync('tar', ['-C', work, '-cf', out, 'oci-layout', 'index.json', 'blobs']);
}

function buildBusybox(out: string, work: string): void {
  const root = join(work, 'rootfs');
  for (const d of ['bin', 'etc', 'tmp', 'root']) mkdirSync(join(root, d), { recursive: true });
  writeFileSync(join(root, 'bin', 'busybox'), readFileSync(BUSYBOX_BINARY), { mode: 0o755 });
  const applets = execFileSync(BUSYBOX_BINARY, ['--list'], { encoding: 'utf8' })
    .split('\n')
    .map((s) => s.trim())
    .filter((s) => s !== '' && s !== 'busybox');
  for (const a of applets) symlinkSync('busybox', join(root, 'bin', a));
  writeFileSync(
    join(root, 'etc', 'passwd'),
    'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n',
  );
  writeFileSync(join(root, 'etc', 'group'), 'root:x:0:\nnogroup:x:65534:\n');
  writeOciImage(
    root,
    BUSYBOX_IMAGE,
    { Env: ['PATH=/usr/sbin:/usr/bin:/sbin:/bin'], Cmd: ['sh'] },
    out,
    join(work, 'oci'),
  );
}

function buildPause(out: string, work: string): void {
  const root = join(work, 'rootfs');
  mkdirSync(root, { recursive: true });
  writeFileSync(join(work, 'pause.c'), PAUSE_C);
  execFileSync('gcc', ['-Os', '-static', '-o', join(root, 'pause'), join(work, 'pause.c')]);
  execFileSync('strip', [join(root, 'pause')]);
  writeOciImage(
    root,
    PAUSE_IMAGE,
    { Entrypoint: ['/pause'], User: '65535:65535' },
    out,
    join(work, 'oci'),
  );
}

/** The two image tars, built on first use and cached per machine. */
export function localImages(): LocalImages {
  const key = sha256(
    Buffer.concat([
      Buffer.from(`${BUILDER_VERSION}\n${PAUSE_C}\n${BUSYBOX_IMAGE}\n${PAUSE_IMAGE}\n`),
      readFileSync(BUSYBOX_BINARY),
    ]),
  ).slice(0, 16);
  const dir = join(tmpdir(), 'k8ts-images', key);
  const images = { busyboxTar: join(dir, 'busybox.tar'), pauseTar: join(dir, 'pause.tar') };
  if (existsSync(images.busyboxTar) && existsSync(images.pauseTar)) return images;
  mkdirSync(dir, { recursive: true });
  const work = mkdtempSync(join(tmpdir(), 'k8ts-image-build-'));
  try {
    for (const [build, out] of [
      [buildBusybox, images.busyboxTar],
      [buildPause, images.pauseTar],
    ] as const) {
      if (existsSync(out)) continue;
      const step = mkdtempSync(join(work, 'step-'));
      const tmp = `${out}.${String(process.pid)}.tmp`;
      build(tmp, step);
      renameSync(tmp, out);
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return images;
}

const GRPC_HEALTH_C = fileURLToPath(new URL('./grpc-health-server.c', import.meta.url));

/** The gRPC health server's image tar, built on first use and cached per machine. */
export function grpcHealthImageTar(): string {
  const source = readFileSync(GRPC_HEALTH_C);
  const key = sha256(
    Buffer.concat([Buffer.from(`${BUILDER_VERSION}\n${GRPC_HEALTH_IMAGE}\n`), source]),
  );
  const dir = join(tmpdir(), 'k8ts-images', key.slice(0, 16));
  const out = join(dir, 'grpc-health.tar');
  if (existsSync(out)) return out;
  mkdirSync(dir, { recursive: true });
  const work = mkdtempSync(join(tmpdir(), 'k8ts-image-build-'));
  try {
    const root = join(work, 'rootfs');
    mkdirSync(root, { recursive: true });
    const binary = join(root, 'grpc-health-server');
    execFileSync('gcc', ['-O2', '-static', '-o', binary, GRPC_HEALTH_C]);
    execFileSync('strip', [binary]);
    const tmp = `${out}.${String(process.pid)}.tmp`;
    writeOciImage(
      root,
      GRPC_HEALTH_IMAGE,
      { Entrypoint: ['/grpc-health-server'], Cmd: ['9090'] },
      tmp,
      join(work, 'oci'),
    );
    renameSync(tmp, out);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return out;
}

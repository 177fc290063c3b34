/**
 * `k8ts containerd config`: prints (or writes with --output) a complete containerd config for a
 * k8ts node: `containerd config default` of the installed containerd with the cgroup driver, the
 * sandbox image, the CNI directories and the settings this host needs patched in.
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { Command, Option } from 'commander';
import {
  DEFAULT_SANDBOX_IMAGE,
  containerdDefaultConfig,
  defaultCniBinDir,
  mustRestrictOomScoreAdj,
  renderContainerdConfig,
} from '../../agent/containerd/containerd-config.ts';
import type { CgroupDriver } from '../../agent/cri/cri-types.ts';
import { cgroupDriverFlag } from '../flag-parsers.ts';

interface ConfigFlags {
  rootfs: string;
  cgroupDriver: CgroupDriver;
  sandboxImage: string;
  cniBinDir?: string;
  cniConfDir?: string;
  output?: string;
  containerdBinary: string;
}

export function containerdCommand(): Command {
  const containerd = new Command('containerd').description('Configure containerd for k8ts');
  containerd
    .command('config')
    .description('Print a complete containerd config for this node (or write it with --output)')
    .option('--rootfs <dir>', 'node root; containerd paths move under it unless /', '/')
    .addOption(
      new Option('--cgroup-driver <driver>', "the agent's cgroup driver: cgroupfs or systemd")
        .argParser(cgroupDriverFlag)
        .default('cgroupfs'),
    )
    .option('--sandbox-image <image>', 'the CRI pause image', DEFAULT_SANDBOX_IMAGE)
    .option('--cni-bin-dir <dir>', `CNI plugin binaries (default: ${defaultCniBinDir()})`)
    .option('--cni-conf-dir <dir>', 'CNI config directory (default: <rootfs>/etc/cni/net.d)')
    .option('--containerd-binary <path>', 'containerd to ask for its defaults', 'containerd')
    .option('-o, --output <file>', 'write here (atomically) instead of printing')
    .action((flags: ConfigFlags) => {
      const text = renderContainerdConfig(containerdDefaultConfig(flags.containerdBinary), {
        rootfs: flags.rootfs,
        cgroupDriver: flags.cgroupDriver,
        sandboxImage: flags.sandboxImage,
        cniBinDir: flags.cniBinDir,
        cniConfDir: flags.cniConfDir,
        restrictOomScoreAdj: mustRestrictOomScoreAdj(),
      });
      if (flags.output === undefined) {
        process.stdout.write(text);
        return;
      }
      mkdirSync(dirname(flags.output), { recursive: true });
      const tmp = `${flags.output}.tmp`;
      writeFileSync(tmp, text, { mode: 0o644 });
      renameSync(tmp, flags.output);
    });
  return containerd;
}

/**
 * Flag value parsers shared by the kubeadm-style commands (init, join, token, reset, certs):
 * Go durations (`24h`, `0`), ports, comma lists, each failing with commander's
 * InvalidArgumentError so the user sees which flag is wrong and why; and the node flags init and
 * join share (runtime socket, cgroup driver, agent port, pod CIDR, ignored pre-flight errors).
 */
import { InvalidArgumentError, Option } from 'commander';
import type { Command } from 'commander';
import { DEFAULT_CRI_SOCKET, isCgroupDriver } from '../../cluster/node-registration.ts';
import type { CgroupDriver } from '../../cluster/node-registration.ts';
import { parseGoDurationMs } from '../../util/go-duration.ts';

/** A Go duration in ms, 0 allowed (`--ttl 0` = never expires). */
export function durationFlag(value: string): number {
  let ms: number;
  try {
    ms = parseGoDurationMs(value);
  } catch (err: unknown) {
    throw new InvalidArgumentError(err instanceof Error ? err.message : String(err));
  }
  if (ms < 0) throw new InvalidArgumentError('must not be negative');
  return ms;
}

export function portFlag(value: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value) || port < 1 || port > 65535)
    throw new InvalidArgumentError('not a port (1-65535)');
  return port;
}

/** pflag's string slice: repeatable, each value split on commas, empty values dropped. */
export function listFlag(value: string, previous: readonly string[] | undefined): string[] {
  return [...(previous ?? []), ...value.split(',').filter((v) => v.trim() !== '')];
}

export function cgroupDriverFlag(value: string): CgroupDriver {
  if (!isCgroupDriver(value)) throw new InvalidArgumentError('must be cgroupfs or systemd');
  return value;
}

/** What `addNodeFlags` parses. */
export interface NodeCliFlags {
  criSocket?: string;
  cgroupDriver?: CgroupDriver;
  kubeletPort: number;
  podCidr?: string;
  ignorePreflightErrors?: string[];
}

/** The flags of this node's agent and pre-flight, as init and join take them. */
export function addNodeFlags(cmd: Command, cgroupDriverDefault: string): Command {
  return cmd
    .option(
      '--cri-socket <endpoint>',
      `the container runtime's CRI endpoint (default: ${DEFAULT_CRI_SOCKET} if containerd answers there, else k8ts runs containerd itself)`,
    )
    .addOption(
      new Option(
        '--cgroup-driver <driver>',
        `cgroupfs or systemd (default: ${cgroupDriverDefault})`,
      ).argParser(cgroupDriverFlag),
    )
    .option('--kubelet-port <port>', "the agent's HTTPS port", portFlag, 10250)
    .option(
      '--pod-cidr <cidr>',
      "this node's pod CIDR while the cluster assigns none (the agent's --pod-cidr)",
    )
    .option(
      '--ignore-preflight-errors <checks>',
      'checks whose errors become warnings, e.g. Swap,Port-6443, or "all"',
      listFlag,
    );
}

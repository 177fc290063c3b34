/**
 * Parsers for kube-style flag values shared by the k8ts commands: Go's strconv.ParseBool
 * (`--leader-elect=false`), Go durations (`--node-monitor-grace-period=40s`, `--ttl 0`), ports,
 * comma lists. Each throws commander's InvalidArgumentError, so a bad value is reported with the
 * flag's name. Also the node flags `init` and `join` share (runtime socket, cgroup driver, agent
 * port, pod CIDR, ignored pre-flight errors).
 */
import { InvalidArgumentError, Option } from 'commander';
import type { Command } from 'commander';
import { DEFAULT_CRI_SOCKET, isCgroupDriver } from '../cluster/node-registration.ts';
import type { CgroupDriver } from '../cluster/node-registration.ts';
import { parseGoDurationMs } from '../util/go-duration.ts';

/** Go's strconv.ParseBool. */
export function parseGoBool(value: string): boolean {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(value)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(value)) return false;
  throw new InvalidArgumentError(`invalid boolean ${JSON.stringify(value)}`);
}

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

/** A Go duration (`1m30s`, `500ms`) greater than zero, in ms. */
export function positiveDurationMs(value: string): number {
  const ms = durationFlag(value);
  if (ms === 0) throw new InvalidArgumentError('must be positive');
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

/** `15s`-style text for a duration default shown in --help. */
export const seconds = (ms: number): string => `${String(ms / 1000)}s`;

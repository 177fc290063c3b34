/**
 * Where a node's supervisor keeps its files under `--rootfs` (kubeadm's layout where one exists):
 * manifests in /etc/kubernetes/manifests, logs in /var/log/k8ts, pid files in /run/k8ts.
 */
import { join } from 'node:path';

export interface NodePaths {
  readonly rootfs: string;
  readonly manifestsDir: string;
  readonly logDir: string;
  readonly runDir: string;
  /** The supervisor's own pid file. */
  readonly pidFile: string;
  /** The supervisor's own log (stdout/stderr of a detached `k8ts node run`). */
  readonly supervisorLog: string;
}

export function nodePaths(rootfs: string): NodePaths {
  const runDir = join(rootfs, 'run/k8ts');
  const logDir = join(rootfs, 'var/log/k8ts');
  return {
    rootfs,
    manifestsDir: join(rootfs, 'etc/kubernetes/manifests'),
    logDir,
    runDir,
    pidFile: join(runDir, 'node.pid'),
    supervisorLog: join(logDir, 'node.log'),
  };
}

/** `<runDir>/<name>.pid`: the PID of a running child, as the supervisor reports it. */
export function childPidFile(paths: NodePaths, name: string): string {
  return join(paths.runDir, `${name}.pid`);
}

export function childLogFile(paths: NodePaths, name: string): string {
  return join(paths.logDir, `${name}.log`);
}

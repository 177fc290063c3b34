/**
 * The controllers `k8ts controller-manager` can run, by upstream's names (`--controllers`).
 * Each entry builds its controller from the shared context; the manager starts them together
 * once it leads and stops them together when it stops leading.
 */
import type { ControllerFactory } from './controller.ts';

export function builtinControllers(): Map<string, ControllerFactory> {
  const controllers = new Map<string, ControllerFactory>();
  return controllers;
}

/** The Deployment controller: its factory and the pure parts other controllers may reuse. */
export { DeploymentController } from './deployment-controller.ts';
export type { DeploymentControllerOptions } from './deployment-controller.ts';
export { computeHash, POD_TEMPLATE_HASH_LABEL } from './pod-template-hash.ts';

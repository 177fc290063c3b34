/** NodeName: a pod with spec.nodeName fits only that node (upstream plugins/nodename). */
import { fail } from '../framework.ts';
import type { FilterPlugin } from '../framework.ts';

export const ERR_NODE_NAME = "node(s) didn't match the requested node name";

export const nodeName: FilterPlugin = {
  name: 'NodeName',
  prepareFilter(pod) {
    const want = pod.pod.spec?.nodeName;
    if (want === undefined || want === '') return undefined;
    return (node) => (node.name === want ? undefined : fail('NodeName', ERR_NODE_NAME, true));
  },
};

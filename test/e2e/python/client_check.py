"""Debian's python3-kubernetes against a k8ts API server: list, create, watch.

Usage: python3 client_check.py KUBECONFIG NAMESPACE
Prints one JSON object with what it saw; exits non-zero on any failure.
"""
import json
import sys
import threading
import time

from kubernetes import client, config, watch


def main() -> None:
    kubeconfig, namespace = sys.argv[1], sys.argv[2]
    config.load_kube_config(config_file=kubeconfig)
    v1 = client.CoreV1Api()
    result = {}
    result["namespaces"] = sorted(ns.metadata.name for ns in v1.list_namespace().items)
    v1.create_namespace(client.V1Namespace(metadata=client.V1ObjectMeta(name=namespace)))
    created = v1.create_namespaced_config_map(
        namespace, client.V1ConfigMap(metadata=client.V1ObjectMeta(name="py1"), data={"a": "b"})
    )
    result["created"] = {"name": created.metadata.name, "uid_set": bool(created.metadata.uid)}
    start_rv = v1.list_namespaced_config_map(namespace).metadata.resource_version

    def later() -> None:
        time.sleep(0.5)
        v1.create_namespaced_config_map(
            namespace, client.V1ConfigMap(metadata=client.V1ObjectMeta(name="py2"))
        )
        v1.delete_namespaced_config_map("py1", namespace)

    threading.Thread(target=later, daemon=True).start()
    events = []
    w = watch.Watch()
    for event in w.stream(
        v1.list_namespaced_config_map, namespace, resource_version=start_rv, timeout_seconds=10
    ):
        events.append([event["type"], event["object"].metadata.name])
        if len(events) == 2:
            w.stop()
    result["events"] = events
    try:
        v1.read_namespaced_config_map("py1", namespace)
        result["read_deleted"] = "found"
    except client.exceptions.ApiException as e:
        result["read_deleted"] = e.status
    print(json.dumps(result))


if __name__ == "__main__":
    main()

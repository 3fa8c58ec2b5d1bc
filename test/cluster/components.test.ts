import { describe, expect, it } from "vitest";
import { apiServerAddressFlags, commandFor } from "./components.js";

describe("the API server's addresses", () => {
  it("listens everywhere and publishes an address pods can reach when the host has one", () => {
    expect(apiServerAddressFlags("192.168.1.20")).toEqual([
      "--bind-address=0.0.0.0",
      "--advertise-address=192.168.1.20",
    ]);
  });

  it("stays on loopback, with no endpoints for the kubernetes Service, without one", () => {
    expect(apiServerAddressFlags(undefined)).toEqual([
      "--bind-address=127.0.0.1",
      "--advertise-address=127.0.0.1",
      "--endpoint-reconciler-type=none",
    ]);
  });
});

describe("the scheduler", () => {
  it("retries a pod left in its unschedulable pool within 30 s, not the default 5 minutes", () => {
    const layout = {
      dir: "/tmp/cluster",
      binDir: "/tmp/bin",
      ports: { etcdClient: 1, etcdPeer: 2, apiserver: 3, controllerManager: 4, scheduler: 5 },
    };
    const flag = commandFor("kube-scheduler", layout).args.find((a) =>
      a.startsWith("--pod-max-in-unschedulable-pods-duration="),
    );
    const seconds = Number(/=(\d+)s$/.exec(flag ?? "")?.[1]);
    expect(seconds).toBeGreaterThan(0);
    expect(seconds).toBeLessThanOrEqual(30);
  });
});

import { describe, expect, it } from "vitest";
import { apiServerAddressFlags } from "./components.js";

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

/**
 * grpc.health.v1.Health (grpc-health-check) plus what the library lacks for a clean shutdown:
 * open Watch streams are tracked so they can be ended once NOT_SERVING has been sent, instead of
 * holding the server open until the shutdown timeout.
 */
import type * as grpc from "@grpc/grpc-js";
import { HealthImplementation, type ServingStatus } from "grpc-health-check";

export interface Health {
  /** Sets the overall status ("") and every listed service's status. */
  setAll(status: ServingStatus): void;
  addToServer(server: grpc.Server): void;
  /** Ends every open Watch stream (after the last status was written). */
  endWatches(): void;
}

export function createHealth(serviceNames: readonly string[]): Health {
  const names = ["", ...serviceNames];
  const impl = new HealthImplementation(Object.fromEntries(names.map((n) => [n, "NOT_SERVING"])));
  const watches = new Set<grpc.ServerWritableStream<unknown, unknown>>();
  return {
    setAll(status) {
      for (const name of names) impl.setStatus(name, status);
    },
    addToServer(server) {
      impl.addToServer({
        addService(definition, implementation) {
          const watch = implementation.watch as grpc.handleServerStreamingCall<unknown, unknown>;
          const tracked: grpc.handleServerStreamingCall<unknown, unknown> = (call) => {
            watches.add(call);
            call.on("cancelled", () => watches.delete(call));
            call.on("finish", () => watches.delete(call));
            watch(call);
          };
          server.addService(definition, { ...implementation, watch: tracked });
        },
      });
    },
    endWatches() {
      for (const call of watches) call.end();
      watches.clear();
    },
  };
}

/**
 * grpc.health.v1.Health: Check, Watch and List, as grpc-health-check's HealthImplementation
 * answers them (same statuses, same errors), plus what the library lacks for a clean shutdown:
 * open Watch streams are tracked so they can be ended once NOT_SERVING has been sent, instead of
 * holding the server open until the shutdown timeout.
 *
 * Why not the library's class: importing grpc-health-check loads @grpc/proto-loader and its
 * health.proto at once, ~2 MiB of every tenant's memory with reflection's copy (proto-package.ts).
 * Its health.proto is still the contract: the server loads it (proto-files.ts) and passes the
 * service definition in.
 */
import * as grpc from "@grpc/grpc-js";

export type ServingStatus = "UNKNOWN" | "SERVING" | "NOT_SERVING" | "SERVICE_UNKNOWN";

/** grpc-health-check's limit on List's answer. */
const LIST_LIMIT = 100;

export interface Health {
  /** Sets the overall status ("") and every listed service's status. */
  setAll(status: ServingStatus): void;
  /** Registers the service; `definition` is grpc.health.v1.Health from health.proto. */
  addToServer(server: grpc.Server, definition: grpc.ServiceDefinition): void;
  /** Ends every open Watch stream (after the last status was written). */
  endWatches(): void;
}

type Request = { service?: string };
type Watch = grpc.ServerWritableStream<Request, unknown>;

export function createHealth(serviceNames: readonly string[]): Health {
  const names = ["", ...serviceNames];
  const statuses = new Map<string, ServingStatus>(names.map((n) => [n, "NOT_SERVING"]));
  const watches = new Map<Watch, string>();
  const check: grpc.handleUnaryCall<Request, unknown> = (call, callback) => {
    const service = call.request.service ?? "";
    const status = statuses.get(service);
    if (status) return callback(null, { status });
    callback({
      code: grpc.status.NOT_FOUND,
      details: `Health status unknown for service ${service}`,
    });
  };
  const watch: grpc.handleServerStreamingCall<Request, unknown> = (call) => {
    const service = call.request.service ?? "";
    watches.set(call, service);
    const forget = () => watches.delete(call);
    call.on("cancelled", forget);
    call.on("finish", forget);
    call.write({ status: statuses.get(service) ?? "SERVICE_UNKNOWN" });
  };
  const list: grpc.handleUnaryCall<unknown, unknown> = (_call, callback) => {
    if (statuses.size > LIST_LIMIT) {
      return callback({
        code: grpc.status.RESOURCE_EXHAUSTED,
        details: "Too many services to list.",
      });
    }
    const all: Record<string, { status: ServingStatus }> = {};
    for (const [service, status] of statuses) all[service] = { status };
    callback(null, { statuses: all });
  };
  return {
    setAll(status) {
      for (const name of names) {
        statuses.set(name, status);
        for (const [call, service] of watches) if (service === name) call.write({ status });
      }
    },
    addToServer(server, definition) {
      server.addService(definition, { check, watch, list });
    },
    endWatches() {
      for (const call of watches.keys()) call.end();
      watches.clear();
    },
  };
}

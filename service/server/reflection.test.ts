import { EventEmitter } from "node:events";
import * as grpc from "@grpc/grpc-js";
import type { PackageDefinition } from "@grpc/proto-loader";
import { describe, expect, it } from "vitest";
import { addReflection } from "./reflection.js";

type Handler = (stream: EventEmitter) => void;

/** A server that only records what is added to it (addReflection needs nothing else). */
function recordingServer(): { server: grpc.Server; added: Map<string, Record<string, Handler>> } {
  const added = new Map<string, Record<string, Handler>>();
  const server = {
    addService(definition: grpc.ServiceDefinition, handlers: Record<string, Handler>) {
      added.set(Object.values(definition)[0]!.path, handlers);
    },
  };
  return { server: server as unknown as grpc.Server, added };
}

describe("addReflection", () => {
  // A package with a file descriptor that is not bytes: building the index from it throws.
  const unreadable = {
    "x.Broken": { fileDescriptorProtos: [null] },
  } as unknown as PackageDefinition;

  it("registers both versions at start without indexing the package (that waits for a call)", () => {
    const { server, added } = recordingServer();
    expect(() => addReflection(server, unreadable)).not.toThrow();
    expect([...added.keys()].sort()).toEqual([
      "/grpc.reflection.v1.ServerReflection/ServerReflectionInfo",
      "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo",
    ]);
  });

  it("fails the call with INTERNAL, not the process, when the index cannot be built", () => {
    const { server, added } = recordingServer();
    addReflection(server, unreadable);
    const stream = new EventEmitter();
    const errors: unknown[] = [];
    stream.on("error", (error) => errors.push(error));
    added.get("/grpc.reflection.v1.ServerReflection/ServerReflectionInfo")!.ServerReflectionInfo!(
      stream,
    );
    expect(errors).toEqual([expect.objectContaining({ code: grpc.status.INTERNAL })]);
  });
});

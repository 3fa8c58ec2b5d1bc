import { EventEmitter } from "node:events";
import * as grpc from "@grpc/grpc-js";
import { describe, expect, it, vi } from "vitest";
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
  // A file that does not exist: building the index (proto-loader's loadSync) throws.
  const unreadable = { files: ["no/such/file.proto"], includeDirs: [] };
  const V1 = "/grpc.reflection.v1.ServerReflection/ServerReflectionInfo";

  it("registers both versions at start without indexing the package (that waits for a call)", () => {
    const { server, added } = recordingServer();
    expect(() => addReflection(server, unreadable)).not.toThrow();
    expect([...added.keys()].sort()).toEqual([
      V1,
      "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo",
    ]);
  });

  it("fails the call with INTERNAL, not the process, when the index cannot be built", async () => {
    const { server, added } = recordingServer();
    addReflection(server, unreadable);
    const errors: unknown[] = [];
    for (let call = 0; call < 2; call++) {
      // twice: a failed build is not kept, the next call tries again (and fails the same way)
      const stream = new EventEmitter();
      stream.on("error", (error) => errors.push(error));
      added.get(V1)!.ServerReflectionInfo!(stream);
      await vi.waitFor(() => expect(errors).toHaveLength(call + 1));
    }
    expect(errors).toEqual([
      expect.objectContaining({
        code: grpc.status.INTERNAL,
        details: expect.stringContaining("file.proto"),
      }),
      expect.objectContaining({ code: grpc.status.INTERNAL }),
    ]);
  });
});

/**
 * Real grpc-js clients for user.UserService and counter.v1.Counter, built from the .proto
 * files: with the server's loader options (int64 as strings, enum names, keepCase), or as an
 * old client would load them (numeric enums, camelCase fields).
 */
import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";
import { LOADER_OPTIONS, PROTO_DIR } from "../../service/server/protos.js";

type Callback = (error: grpc.ServiceError | null, response: unknown) => void;
type Method = (request: object, callback: Callback) => void;

export interface RpcClient {
  call<T = Record<string, any>>(method: string, request?: object): Promise<T>; // eslint-disable-line @typescript-eslint/no-explicit-any
  close(): void;
}

export type ClientStyle = "current" | "old";

const OLD_CLIENT_OPTIONS: protoLoader.Options = { keepCase: false, defaults: true, longs: String };

export function rpcClient(
  address: string,
  protoFile: "user.proto" | "counter.proto",
  style: ClientStyle = "current",
): RpcClient {
  const definition = protoLoader.loadSync(protoFile, {
    ...(style === "current" ? LOADER_OPTIONS : OLD_CLIENT_OPTIONS),
    includeDirs: [PROTO_DIR],
  });
  const root = grpc.loadPackageDefinition(definition);
  const path = protoFile === "user.proto" ? "user.UserService" : "counter.v1.Counter";
  const Ctor = path
    .split(".")
    .reduce<unknown>((o, k) => (o as Record<string, unknown>)[k], root) as new (
    address: string,
    credentials: grpc.ChannelCredentials,
  ) => grpc.Client;
  const client = new Ctor(address, grpc.credentials.createInsecure());
  const methods = client as unknown as Record<string, Method>;
  return {
    call: <T>(method: string, request: object = {}) =>
      new Promise<T>((resolve, reject) => {
        methods[method]!.call(client, request, (error, response) =>
          error ? reject(error) : resolve(response as T),
        );
      }),
    close: () => client.close(),
  };
}

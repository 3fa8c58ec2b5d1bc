/**
 * What every tenantctl command group gets: where the service is (global --addr / --http /
 * --timeout), gRPC clients built from the service's own .proto files, HTTP GET, and output.
 * A command group is a file exporting a CommandGroup, registered in main.ts.
 */
import * as grpc from "@grpc/grpc-js";
import type { Command } from "commander";
import { loadProtos } from "../server/protos.js";

/** A failure to report as "error: <message>" with exit code 1 (no stack trace). */
export class CliError extends Error {
  override name = "CliError";
}

export interface GlobalOptions {
  addr: string;
  http: string;
  timeout: number;
}

export interface CliContext {
  options(): GlobalOptions;
  /** Calls a unary gRPC method, e.g. unary("calc.proto", "calc.Calc", "Add", {a, b}). */
  unary<T = Record<string, unknown>>(
    protoFile: string,
    service: string,
    method: string,
    request: object,
  ): Promise<T>;
  /** GETs a path of the HTTP server and returns the parsed JSON body; non-2xx -> CliError. */
  getJson<T = Record<string, unknown>>(path: string): Promise<T>;
  /** GETs a path and returns the body text; non-2xx -> CliError. */
  getText(path: string): Promise<string>;
  print(line: string): void;
}

export type CommandGroup = (program: Command, ctx: CliContext) => void;

type ClientCtor = new (address: string, creds: grpc.ChannelCredentials) => grpc.Client;
type UnaryMethod = (
  request: object,
  options: grpc.CallOptions,
  callback: (error: grpc.ServiceError | null, response: unknown) => void,
) => void;

export function createCliContext(program: Command, print: (line: string) => void): CliContext {
  const options = (): GlobalOptions => program.opts<GlobalOptions>();
  const clients = new Map<string, ClientCtor>();
  const ctorFor = (protoFile: string, service: string): ClientCtor => {
    const key = `${protoFile}:${service}`;
    let ctor = clients.get(key);
    if (!ctor) {
      const root = grpc.loadPackageDefinition(loadProtos([protoFile]));
      ctor = service
        .split(".")
        .reduce<unknown>((o, k) => (o as Record<string, unknown>)?.[k], root) as
        ClientCtor | undefined;
      if (typeof ctor !== "function") throw new CliError(`no service ${service} in ${protoFile}`);
      clients.set(key, ctor);
    }
    return ctor;
  };
  const http = async (path: string): Promise<string> => {
    const { http: base, timeout } = options();
    let response: Response;
    try {
      response = await fetch(new URL(path, base), { signal: AbortSignal.timeout(timeout) });
    } catch (error) {
      throw new CliError(`cannot reach ${base}: ${describeFetchError(error)}`);
    }
    const text = await response.text();
    if (!response.ok) throw new CliError(`${path}: HTTP ${response.status}: ${errorText(text)}`);
    return text;
  };
  return {
    options,
    print,
    unary<T>(protoFile: string, service: string, method: string, request: object): Promise<T> {
      const { addr, timeout } = options();
      const client = new (ctorFor(protoFile, service))(addr, grpc.credentials.createInsecure());
      const fn = (client as unknown as Record<string, UnaryMethod | undefined>)[method];
      if (!fn) throw new CliError(`no method ${method} on ${service}`);
      return new Promise<T>((resolve, reject) => {
        fn.call(client, request, { deadline: Date.now() + timeout }, (error, response) => {
          client.close();
          if (error) reject(new CliError(grpcErrorText(`${service}/${method}`, addr, error)));
          else resolve(response as T);
        });
      });
    },
    getText: http,
    async getJson<T>(path: string): Promise<T> {
      const text = await http(path);
      try {
        return JSON.parse(text) as T;
      } catch {
        throw new CliError(`${path}: the answer is not JSON: ${text.slice(0, 200)}`);
      }
    },
  };
}

function grpcErrorText(what: string, addr: string, error: grpc.ServiceError): string {
  const code = grpc.status[error.code] ?? String(error.code);
  if (error.code === grpc.status.UNAVAILABLE || error.code === grpc.status.DEADLINE_EXCEEDED) {
    return `cannot reach the gRPC server at ${addr} (${code}: ${error.details})`;
  }
  return `${what}: ${code}: ${error.details}`;
}

function errorText(body: string): string {
  try {
    const parsed = JSON.parse(body) as { error?: unknown };
    if (typeof parsed.error === "string") return parsed.error;
  } catch {
    // not JSON
  }
  return body.slice(0, 200);
}

function describeFetchError(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? String(error);
}

/** Checks a command-line integer (any size: the server checks the range) and returns it. */
export function integerArg(name: string, value: string): string {
  const trimmed = value.trim();
  if (!/^[+-]?\d+$/.test(trimmed)) throw new CliError(`${name}: not an integer: ${value}`);
  return trimmed.startsWith("+") ? trimmed.slice(1) : trimmed; // int64 strings take no "+"
}

/**
 * What every tenantctl command group gets: where the service is (global --addr / --http /
 * --timeout), the bearer token (--token or TENANTCTL_TOKEN, sent as gRPC metadata and HTTP
 * header `authorization: Bearer <jwt>`), gRPC clients built from the service's own .proto
 * files, HTTP GET, and output.
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
  token?: string;
}

/** --token, else TENANTCTL_TOKEN; undefined when neither is set (the service may need none). */
export function tokenOf(options: GlobalOptions, env = process.env): string | undefined {
  const token = (options.token ?? env.TENANTCTL_TOKEN)?.trim();
  if (!token) return undefined;
  if (!/^[A-Za-z0-9\-._~+/]+=*$/.test(token)) {
    throw new CliError("the token (--token or TENANTCTL_TOKEN) is not a bearer token");
  }
  return token;
}

const AUTH_HINT = " (the service wants a bearer token: pass --token or set TENANTCTL_TOKEN)";

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
  metadata: grpc.Metadata,
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
    const token = tokenOf(options());
    let response: Response;
    try {
      response = await fetch(new URL(path, base), {
        signal: AbortSignal.timeout(timeout),
        ...(token && { headers: { authorization: `Bearer ${token}` } }),
      });
    } catch (error) {
      throw new CliError(`cannot reach ${base}: ${describeFetchError(error)}`);
    }
    const text = await response.text();
    if (!response.ok) {
      const hint = response.status === 401 ? AUTH_HINT : "";
      throw new CliError(`${path}: HTTP ${response.status}: ${errorText(text)}${hint}`);
    }
    return text;
  };
  return {
    options,
    print,
    unary<T>(protoFile: string, service: string, method: string, request: object): Promise<T> {
      const { addr, timeout } = options();
      const token = tokenOf(options());
      const metadata = new grpc.Metadata();
      if (token) metadata.set("authorization", `Bearer ${token}`);
      const client = new (ctorFor(protoFile, service))(addr, grpc.credentials.createInsecure());
      const fn = (client as unknown as Record<string, UnaryMethod | undefined>)[method];
      if (!fn) throw new CliError(`no method ${method} on ${service}`);
      return new Promise<T>((resolve, reject) => {
        fn.call(
          client,
          request,
          metadata,
          { deadline: Date.now() + timeout },
          (error, response) => {
            client.close();
            if (error) reject(new CliError(grpcErrorText(`${service}/${method}`, addr, error)));
            else resolve(response as T);
          },
        );
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
  const hint = error.code === grpc.status.UNAUTHENTICATED ? AUTH_HINT : "";
  return `${what}: ${code}: ${error.details}${hint}`;
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

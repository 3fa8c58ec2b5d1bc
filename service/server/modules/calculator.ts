/**
 * The "calculator" APIs (SERVICES=calculator): gRPC calc.Calc and MathHelper, the HTTP sequences,
 * and JSON routes with the same semantics for the landing page's forms. The wire objects here
 * are the proto messages (int64 as decimal strings); the JSON routes use the same shapes.
 */
import { add, max, nthPrimes } from "../../calc/calc.js";
import { invalidArgument } from "../../errors.js";
import { toBigInt } from "../../int64.js";
import { factorialInt64, summation } from "../../math/math.js";
import type { HttpHandler, HttpRoute } from "../http-router.js";
import { jsonReply } from "../http-server.js";
import type { ModuleFactory, ServiceModule } from "../module.js";
import { sequenceRoutes } from "./sequences.js";

type Wire = Record<string, unknown>;

/** The operations, request object in, response object out, shared by gRPC and JSON. */
export const calculatorOperations = {
  max: (r: Wire) => ({ max: String(max(toBigInt(r.a, "a"), toBigInt(r.b, "b"))) }),
  add: (r: Wire) => ({ sum: String(add(toBigInt(r.a, "a"), toBigInt(r.b, "b"))) }),
  nthPrimes: (r: Wire) => ({ nthPrimes: nthPrimes(asList(r.n)).map(String) }),
  summation: (r: Wire) => {
    const first = toBigInt(r.first, "first");
    const last = toBigInt(r.last, "last");
    return { result: String(summation(first, last)), first: String(first), last: String(last) };
  },
  factorial: (r: Wire) => {
    const base = toBigInt(r.base, "base");
    return { result: String(factorialInt64(base)), base: String(base) };
  },
} satisfies Record<string, (r: Wire) => object>;

/** A repeated field from gRPC (array) or JSON (array, or "1, 2, 3" from a form field). */
function asList(value: unknown): unknown[] {
  if (Array.isArray(value)) return value;
  if (value === undefined || value === null) return [];
  if (typeof value === "string") {
    return value
      .split(/[\s,]+/)
      .filter((s) => s !== "")
      .slice(0, 100_001);
  }
  throw invalidArgument("n: expected a list of integers");
}

function jsonRoute(path: string, op: (r: Wire) => object): HttpRoute {
  const handler: HttpHandler = async ({ json }) => {
    const body = await json();
    if (typeof body !== "object" || body === null || Array.isArray(body)) {
      throw invalidArgument("request body must be a JSON object");
    }
    return jsonReply(200, op(body as Wire));
  };
  return { methods: ["POST"], path, handler };
}

export const calculatorModule: ModuleFactory = {
  name: "calculator",
  enabled: (config) => config.services.has("calculator"),
  create: (): ServiceModule => ({
    name: "calculator",
    grpc: [
      {
        name: "calc.Calc",
        protoFile: "calc.proto",
        handlers: {
          Max: calculatorOperations.max,
          Add: calculatorOperations.add,
          NthPrimes: calculatorOperations.nthPrimes,
        },
      },
      {
        name: "MathHelper",
        protoFile: "math_helper.proto",
        handlers: {
          Summation: calculatorOperations.summation,
          Factorial: calculatorOperations.factorial,
        },
      },
    ],
    http: [
      ...sequenceRoutes(),
      jsonRoute("/api/calc/max", calculatorOperations.max),
      jsonRoute("/api/calc/add", calculatorOperations.add),
      jsonRoute("/api/calc/nth-primes", calculatorOperations.nthPrimes),
      jsonRoute("/api/math/summation", calculatorOperations.summation),
      jsonRoute("/api/math/factorial", calculatorOperations.factorial),
    ],
  }),
};

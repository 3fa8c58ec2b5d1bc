/**
 * Before any load: checks that a server answers each case correctly with a real client
 * (@grpc/grpc-js + service/proto/*.proto, fetch for HTTP). This is what makes the Go
 * reference's hand-written messages trustworthy (a wire mismatch fails here, every run), and
 * it keeps a broken endpoint of ours from being "benchmarked" as fast 404s.
 */
import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";
import { rpcClient } from "../../test/postgres/grpc-clients.js";
import { protoPath } from "./load.js";
import { BENCH_QUERIES, expectedUserAnswers } from "./seed.js";

const CALC_PROTO = protoPath("calc.proto");

type Unary = (
  request: object,
  options: { deadline: number },
  callback: (error: grpc.ServiceError | null, response?: Record<string, unknown>) => void,
) => void;

function calcClient(address: string): grpc.Client & Record<string, Unary> {
  const definition = protoLoader.loadSync(CALC_PROTO, { keepCase: true, longs: String });
  const loaded = grpc.loadPackageDefinition(definition) as unknown as {
    calc: { Calc: new (address: string, creds: grpc.ChannelCredentials) => grpc.Client };
  };
  return new loaded.calc.Calc(address, grpc.credentials.createInsecure()) as grpc.Client &
    Record<string, Unary>;
}

function call(client: Record<string, Unary>, method: string, request: object): Promise<unknown> {
  return new Promise((resolve, reject) =>
    client[method]!(request, { deadline: Date.now() + 5000 }, (error, response) =>
      error ? reject(error) : resolve(response),
    ),
  );
}

function expectEqual(what: string, actual: unknown, expected: unknown): void {
  if (JSON.stringify(actual) !== JSON.stringify(expected)) {
    throw new Error(`${what}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
  }
}

async function getText(url: string): Promise<string> {
  const response = await fetch(url, { signal: AbortSignal.timeout(5000) });
  const body = await response.text();
  if (response.status !== 200)
    throw new Error(`GET ${url}: ${response.status} ${body.slice(0, 200)}`);
  return body;
}

/** Per case name: undefined when the server answers it correctly, else why not. */
export async function checkServer(
  grpcAddress: string,
  httpBase: string,
): Promise<Record<string, string | undefined>> {
  const client = calcClient(grpcAddress);
  const users = rpcClient(grpcAddress, "user.proto");
  const expected = expectedUserAnswers();
  const userCheck = (method: string, request: object, many: boolean) => async (): Promise<void> => {
    const answer = await users.call<{ status: { code: string }; users?: []; user?: object }>(
      method,
      request,
    );
    const want = expected[method]!.users;
    expectEqual(`${method} status`, answer.status.code, "SUCCESS");
    expectEqual(`${method}(${JSON.stringify(request)})`, many ? answer.users : [answer.user], want);
  };
  const checks: Record<string, () => Promise<void>> = {
    grpc_add: async () =>
      expectEqual("Add(2, 3)", await call(client, "Add", { a: "2", b: "3" }), { sum: "5" }),
    grpc_nthprimes: async () =>
      expectEqual(
        "NthPrimes([1, 12, 10001])",
        await call(client, "NthPrimes", { n: ["1", "12", "10001"] }),
        {
          nthPrimes: ["2", "37", "104743"],
        },
      ),
    http_fibonacci: async () =>
      expectEqual("/fibonacci/10/", JSON.parse(await getText(`${httpBase}/fibonacci/10/`)), {
        response: "55",
      }),
    http_counter: async () => {
      const first = BigInt(await getText(`${httpBase}/getCounter`));
      const second = BigInt(await getText(`${httpBase}/getCounter`));
      if (second <= first) throw new Error(`/getCounter went from ${first} to ${second}`);
    },
    grpc_user_list: userCheck("List", {}, true),
    grpc_user_get_by_email: userCheck("GetByEmail", { email: BENCH_QUERIES.email }, false),
    grpc_user_search_name: userCheck("SearchName", { query: BENCH_QUERIES.name }, true),
    grpc_user_search_age: userCheck(
      "SearchAge",
      { ageRange: { from: BENCH_QUERIES.ageFrom, to_included: BENCH_QUERIES.ageTo } },
      true,
    ),
  };
  const outcome: Record<string, string | undefined> = {};
  try {
    for (const [name, check] of Object.entries(checks)) {
      outcome[name] = await check().then(
        () => undefined,
        (error: unknown) => (error instanceof Error ? error.message : String(error)),
      );
    }
  } finally {
    client.close();
    users.close();
  }
  return outcome;
}

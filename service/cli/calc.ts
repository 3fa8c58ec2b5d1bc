/** tenantctl calc add|max|primes: calc.Calc over gRPC. */
import type { CommandGroup } from "./context.js";
import { integerArg } from "./context.js";

export const calcCommands: CommandGroup = (program, ctx) => {
  const calc = program
    .command("calc")
    .description("calc.Calc (gRPC): 64-bit add, max, n-th primes");
  const call = <T>(method: string, request: object) =>
    ctx.unary<T>("calc.proto", "calc.Calc", method, request);

  calc
    .command("add")
    .description("a + b (OUT_OF_RANGE past int64)")
    .argument("<a>")
    .argument("<b>")
    .action(async (a: string, b: string) => {
      const { sum } = await call<{ sum: string }>("Add", {
        a: integerArg("a", a),
        b: integerArg("b", b),
      });
      ctx.print(sum);
    });

  calc
    .command("max")
    .description("the larger of a and b")
    .argument("<a>")
    .argument("<b>")
    .action(async (a: string, b: string) => {
      const { max } = await call<{ max: string }>("Max", {
        a: integerArg("a", a),
        b: integerArg("b", b),
      });
      ctx.print(max);
    });

  calc
    .command("primes")
    .description("the n-th prime for each n (1..10001)")
    .argument("<n...>")
    .action(async (ns: string[]) => {
      const n = ns.map((v) => integerArg("n", v));
      const { nthPrimes } = await call<{ nthPrimes: string[] }>("NthPrimes", { n });
      n.forEach((value, i) => ctx.print(`prime #${value}: ${nthPrimes[i] ?? "?"}`));
    });
};

/** tenantctl math sum|factorial: MathHelper over gRPC. */
import type { CommandGroup } from "./context.js";
import { integerArg } from "./context.js";

export const mathCommands: CommandGroup = (program, ctx) => {
  const math = program.command("math").description("MathHelper (gRPC): summation, factorial");

  math
    .command("sum")
    .description("first + last (MathHelper/Summation)")
    .argument("<first>")
    .argument("<last>")
    .action(async (first: string, last: string) => {
      const r = await ctx.unary<{ result: string }>(
        "math_helper.proto",
        "MathHelper",
        "Summation",
        {
          first: integerArg("first", first),
          last: integerArg("last", last),
        },
      );
      ctx.print(r.result);
    });

  math
    .command("factorial")
    .description("base! for base 0..20 (MathHelper/Factorial)")
    .argument("<base>")
    .action(async (base: string) => {
      const r = await ctx.unary<{ result: string; base: string }>(
        "math_helper.proto",
        "MathHelper",
        "Factorial",
        { base: integerArg("base", base) },
      );
      ctx.print(`${r.base}! = ${r.result}`);
    });
};

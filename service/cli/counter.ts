/**
 * tenantctl counter next [--via grpc|http]: the next value of the tenant's counter, from gRPC
 * counter.v1.Counter/Next (default) or HTTP /getCounter. Values are unique forever.
 */
import { Option } from "commander";
import type { CommandGroup } from "./context.js";

export const counterCommands: CommandGroup = (program, ctx) => {
  const counter = program.command("counter").description("the tenant's unique counter");
  counter
    .command("next")
    .description("print the next value")
    .addOption(
      new Option("--via <transport>", "gRPC counter.v1.Counter/Next or HTTP /getCounter")
        .choices(["grpc", "http"])
        .default("grpc"),
    )
    .action(async (options: { via: "grpc" | "http" }) => {
      if (options.via === "http") {
        ctx.print((await ctx.getText("/getCounter")).trim());
        return;
      }
      const { value } = await ctx.unary<{ value: string }>(
        "counter.proto",
        "counter.v1.Counter",
        "Next",
        {},
      );
      ctx.print(value);
    });
};

/** tenantctl seq fib|ack|fact: the HTTP sequences (exact, big numbers). */
import type { CommandGroup } from "./context.js";

export const seqCommands: CommandGroup = (program, ctx) => {
  const seq = program
    .command("seq")
    .description("sequences (HTTP): fibonacci, ackermann, factorial");
  const get = async (path: string): Promise<void> => {
    const { response } = await ctx.getJson<{ response: string }>(path);
    ctx.print(response);
  };
  const segment = (value: string): string => encodeURIComponent(value.trim());

  seq
    .command("fib")
    .description("fibonacci(n), 0 <= n <= 400")
    .argument("<n>")
    .action((n: string) => get(`/fibonacci/${segment(n)}/`));

  seq
    .command("ack")
    .description("ackermann(m, n), 0 <= m <= 3, 0 <= n <= 4")
    .argument("<m>")
    .argument("<n>")
    .action((m: string, n: string) => get(`/ackermann/${segment(m)}/${segment(n)}/`));

  seq
    .command("fact")
    .description("n!, 0 <= n <= 400 (exact)")
    .argument("<n>")
    .action((n: string) => get(`/factorial/${segment(n)}/`));
};

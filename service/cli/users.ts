/**
 * tenantctl users list|get|create|search-name|search-age: user.UserService over gRPC. One
 * user a line, as the old CLI printed them: `First Last <email> (N years old, address: ...)`.
 * A business failure (FAILED, INVALID_QUERY) is "error: CODE: msg" with exit code 1; a
 * capped answer (PARTIAL_SUCCESS) prints the users and its message on stderr.
 */
import { formatUser } from "../users/format.js";
import { type WireUser, fromWireUser } from "../users/wire.js";
import { type CliContext, CliError, type CommandGroup, integerArg } from "./context.js";

interface Status {
  code: string;
  msg: string;
}

function checked(status: Status | undefined): void {
  if (!status) throw new CliError("the server answered without a status");
  if (status.code === "PARTIAL_SUCCESS") console.error(`note: ${status.msg}`);
  else if (status.code !== "SUCCESS") throw new CliError(`${status.code}: ${status.msg}`);
}

function printUsers(ctx: CliContext, users: WireUser[] | undefined): void {
  for (const user of users ?? []) ctx.print(formatUser(fromWireUser(user)));
}

function ageArg(name: string, value: string): number {
  return Number(integerArg(name, value)); // the server checks the range (0..150)
}

interface CreateOptions {
  address?: string;
  phone?: string;
  id?: string;
}

export const usersCommands: CommandGroup = (program, ctx) => {
  const users = program.command("users").description("user.UserService (gRPC): the user directory");
  const call = <T>(method: string, request: object): Promise<T> =>
    ctx.unary<T>("user.proto", "user.UserService", method, request);
  const search = async (method: string, request: object): Promise<void> => {
    const answer = await call<{ status?: Status; users?: WireUser[] }>(method, request);
    checked(answer.status);
    printUsers(ctx, answer.users);
  };
  const one = async (method: string, request: object): Promise<void> => {
    const answer = await call<{ status?: Status; user?: WireUser }>(method, request);
    checked(answer.status);
    printUsers(ctx, answer.user ? [answer.user] : []);
  };

  users
    .command("list")
    .description("all users by email (at most 1,000; more is PARTIAL_SUCCESS)")
    .action(() => search("List", {}));

  users
    .command("get")
    .description("the user with this email")
    .argument("<email>")
    .action((email: string) => one("GetByEmail", { email }));

  users
    .command("create")
    .description("add a user (emails are unique per tenant; an id is assigned if none)")
    .argument("<first>")
    .argument("<last>")
    .argument("<email>")
    .argument("<age>", "0..150")
    .option("--address <text>", "postal address", "")
    .option("--phone <text>", "phone number", "")
    .option("--id <id>", "id to use instead of a generated one", "")
    .action((first: string, last: string, email: string, age: string, options: CreateOptions) =>
      one("Create", {
        user: {
          id: options.id ?? "",
          age: ageArg("age", age),
          name: { first, last },
          email,
          phone: options.phone ?? "",
          address: options.address ?? "",
        },
      }),
    );

  users
    .command("search-name")
    .description("users whose first or last name contains <query>, ignoring case")
    .argument("<query>")
    .action((query: string) => search("SearchName", { query }));

  users
    .command("search-age")
    .description("users aged <from> to <to> (inclusive), by age then email")
    .argument("<from>")
    .argument("<to>")
    .action((from: string, to: string) =>
      search("SearchAge", {
        ageRange: { from: ageArg("from", from), to_included: ageArg("to", to) },
      }),
    );
};

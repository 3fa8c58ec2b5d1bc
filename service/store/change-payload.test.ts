import { describe, expect, it } from "vitest";
import { parseUserChange } from "./change-payload.js";

const row = {
  id: "u1",
  email: "mael@example.com",
  first_name: "Maël",
  last_name: "Ångström",
  age: 31,
  phone: "",
  address: "1 Main St",
  first_key: "mael",
  last_key: "angstrom",
};

describe("the change feed's payloads", () => {
  it("reads an inserted user with its stored search keys", () => {
    expect(parseUserChange(JSON.stringify({ tenant: "acme", inserted: row }))).toEqual({
      kind: "inserted",
      tenant: "acme",
      inserted: {
        user: {
          id: "u1",
          email: "mael@example.com",
          firstName: "Maël",
          lastName: "Ångström",
          age: 31,
          phone: "",
          address: "1 Main St",
        },
        firstKey: "mael",
        lastKey: "angstrom",
      },
    });
  });

  it("reads a tenant's name as 'anything of that tenant', and empty as every tenant", () => {
    expect(parseUserChange("acme")).toEqual({ kind: "tenant", tenant: "acme" });
    expect(parseUserChange("")).toEqual({ kind: "all" });
  });

  it("never reads more than it can trust: a tenant without a usable row, or every tenant", () => {
    const tenantOnly = { kind: "tenant", tenant: "acme" };
    expect(
      parseUserChange(JSON.stringify({ tenant: "acme", inserted: { ...row, age: "31" } })),
    ).toEqual(tenantOnly);
    expect(
      parseUserChange(JSON.stringify({ tenant: "acme", inserted: { ...row, email: null } })),
    ).toEqual(tenantOnly);
    expect(parseUserChange(JSON.stringify({ tenant: "acme" }))).toEqual(tenantOnly);
    expect(parseUserChange(`{"tenant": "acme", "inserted": `)).toEqual({ kind: "all" });
    expect(parseUserChange(JSON.stringify({ inserted: row }))).toEqual({ kind: "all" });
    expect(parseUserChange("{}")).toEqual({ kind: "all" });
  });
});

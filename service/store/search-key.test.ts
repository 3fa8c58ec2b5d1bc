import { describe, expect, it } from "vitest";
import { searchKey } from "./search-key.js";

describe("searchKey", () => {
  it("folds case and diacritics the way the legacy CLI promised ('mael' finds 'Maël')", () => {
    for (const spelling of ["Maël", "mael", "Mael", "MAËL", "MAEL", "maël"]) {
      expect(searchKey(spelling)).toBe("mael");
    }
    expect(searchKey("Ångström")).toBe("angstrom");
    expect(searchKey("Zoë")).toBe("zoe");
    expect(searchKey("François Müller-Čapek")).toBe("francois muller-capek");
  });

  it("treats precomposed and decomposed input alike", () => {
    expect(searchKey("Zo\u00eb")).toBe(searchKey("Zoe\u0308"));
  });

  it("spells out Latin letters NFD leaves whole", () => {
    expect(searchKey("Søren Łukasz Þór Straße Æsir")).toBe("soren lukasz thor strasse aesir");
  });

  it("keeps text in other scripts searchable (lower-cased, not dropped)", () => {
    expect(searchKey("Ωμέγα")).toBe("ωμεγα");
    expect(searchKey("李小龍")).toBe("李小龍");
  });
});

import { describe, expect, it } from "vitest";
import { chartNodeOptions } from "./operator-process.js";

describe("the bench's operator options", () => {
  it("are the chart's nodeOptions, so the bench measures the operator as a cluster runs it", () => {
    expect(chartNodeOptions('nodeOptions: "--max-semi-space-size=16"\n')).toBe(
      "--max-semi-space-size=16",
    );
    expect(chartNodeOptions("image:\n  tag: x\n")).toBe("");
    expect(chartNodeOptions()).toMatch(/--max-old-space-size=\d+/);
  });
});

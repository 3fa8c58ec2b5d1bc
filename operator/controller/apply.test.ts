import { describe, expect, it } from "vitest";
import { quotaInForce } from "./apply.js";

const quota = (spec: Record<string, string>, status?: Record<string, string>) => ({
  apiVersion: "v1",
  kind: "ResourceQuota",
  spec: { hard: spec },
  ...(status && { status: { hard: status, used: {} } }),
});

describe("quotaInForce", () => {
  it("is false until the quota controller has counted the quota (no status yet)", () => {
    expect(quotaInForce(quota({ pods: "0" }))).toBe(false);
  });

  it("is false while the status still holds the limits of before a change", () => {
    expect(quotaInForce(quota({ pods: "0", "requests.cpu": "2" }, { pods: "5" }))).toBe(false);
    expect(quotaInForce(quota({ pods: "0" }, { pods: "5" }))).toBe(false);
  });

  it("is true once every limit of the spec is in the status, as written", () => {
    expect(
      quotaInForce(
        quota({ pods: "0", "requests.memory": "1Gi" }, { pods: "0", "requests.memory": "1Gi" }),
      ),
    ).toBe(true);
  });
});

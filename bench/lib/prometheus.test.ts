import { describe, expect, it } from "vitest";
import { parseSamples, requestsByMethodAndCode, sumMetric, writeRequests } from "./prometheus.js";

const EXPOSITION = `# HELP controller_runtime_reconcile_total Total number of reconciliations.
# TYPE controller_runtime_reconcile_total counter
controller_runtime_reconcile_total{controller="tenant",result="success"} 990
controller_runtime_reconcile_total{controller="tenant",result="error"} 10
rest_client_requests_total{code="200",method="GET"} 2000
rest_client_requests_total{code="200",method="PATCH"} 12000
rest_client_requests_total{code="201",method="POST"} 5
rest_client_requests_total{code="409",method="put"} 1
rest_client_requests_total{code="200",method="DELETE"} 2
workqueue_depth{name="tenant"} 0
process_resident_memory_bytes 1.5e+08
odd_metric{path="a \\"quoted\\" value"} 3 1700000000000
`;

describe("prometheus text parsing", () => {
  it("sums every sample of a metric across label sets", () => {
    expect(sumMetric(EXPOSITION, "controller_runtime_reconcile_total")).toBe(1000);
  });

  it("sums only the samples whose labels pass the filter", () => {
    expect(
      sumMetric(EXPOSITION, "controller_runtime_reconcile_total", (l) => l.result === "error"),
    ).toBe(10);
  });

  it("counts POST, PUT, PATCH and DELETE (any case) as writes, never GET", () => {
    expect(writeRequests(EXPOSITION)).toBe(12008);
  });

  it("reads exponent notation, timestamps and escaped quotes in label values", () => {
    const samples = parseSamples(EXPOSITION);
    expect(samples.find((s) => s.name === "process_resident_memory_bytes")?.value).toBe(1.5e8);
    expect(samples.find((s) => s.name === "odd_metric")).toEqual({
      name: "odd_metric",
      labels: { path: 'a "quoted" value' },
      value: 3,
    });
  });

  it("answers 0 for a metric that is absent", () => {
    expect(sumMetric(EXPOSITION, "nope_total")).toBe(0);
    expect(writeRequests("")).toBe(0);
  });
});

describe("requestsByMethodAndCode", () => {
  it("groups API requests by upper-cased method and status code", () => {
    expect(requestsByMethodAndCode(EXPOSITION)).toEqual({
      "GET 200": 2000,
      "PATCH 200": 12000,
      "POST 201": 5,
      "PUT 409": 1,
      "DELETE 200": 2,
    });
  });
});

// errorForApiFailure against real API server answers: an exhausted quota and a namespace stuck
// terminating are told apart from other refusals, so a tenant in either state is Degraded with
// a reason that says which.
import { ApiException, CoreV1Api } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { errorForApiFailure, type ApiFailure } from "../../operator/tenant/errors.js";
import { Reasons } from "../../operator/tenant/reasons.js";
import { testKubeConfig, uniqueName, waitUntil } from "../cluster/testing.js";

/** The API failure of a rejected call, as the runtime would read it from client-node. */
async function failureOf(call: Promise<unknown>): Promise<ApiFailure> {
  try {
    await call;
  } catch (err) {
    if (!(err instanceof ApiException)) throw err;
    const body: unknown = typeof err.body === "string" ? JSON.parse(err.body) : err.body;
    return { code: err.code, ...(body as Omit<ApiFailure, "code">) };
  }
  throw new Error("the call was expected to fail");
}

const HOLD = "tenant-operator.dev/test-hold";

describe("API failures from a real API server", () => {
  const core = (): CoreV1Api => testKubeConfig().makeApiClient(CoreV1Api);
  const quotaNs = uniqueName("t-quota");
  const doomedNs = uniqueName("t-doomed");

  beforeAll(async () => {
    for (const name of [quotaNs, doomedNs])
      await core().createNamespace({ body: { metadata: { name } } });
    await core().createNamespacedResourceQuota({
      namespace: quotaNs,
      body: { metadata: { name: "none" }, spec: { hard: { "count/secrets": "0" } } },
    });
    // A finalizer keeps the namespace in Terminating until the test lets go.
    await core().createNamespacedConfigMap({
      namespace: doomedNs,
      body: { metadata: { name: "hold", finalizers: [HOLD] } },
    });
    await core().deleteNamespace({ name: doomedNs });
  });

  afterAll(async () => {
    await core()
      .patchNamespacedConfigMap({
        name: "hold",
        namespace: doomedNs,
        body: [{ op: "remove", path: "/metadata/finalizers" }],
      })
      .catch(() => {});
    await core()
      .deleteNamespace({ name: quotaNs })
      .catch(() => {});
  });

  it("reports an exhausted quota as QuotaExceeded", async () => {
    // The quota controller must have computed usage before admission enforces it.
    await waitUntil("the quota to be computed", async () => {
      const q = await core().readNamespacedResourceQuota({ name: "none", namespace: quotaNs });
      return q.status?.hard !== undefined;
    });
    const f = await failureOf(
      core().createNamespacedSecret({ namespace: quotaNs, body: { metadata: { name: "db" } } }),
    );
    expect(f.code).toBe(403);
    const err = errorForApiFailure("Secret db", f);
    expect(err.reason).toBe(Reasons.QuotaExceeded);
    expect(err.terminal).toBe(false);
  });

  it("reports a namespace stuck terminating as NamespaceTerminating", async () => {
    const f = await failureOf(
      core().createNamespacedConfigMap({
        namespace: doomedNs,
        body: { metadata: { name: "branding" } },
      }),
    );
    expect(f.code).toBe(403);
    expect(errorForApiFailure("ConfigMap branding", f).reason).toBe(Reasons.NamespaceTerminating);
  });

  it("reports an object the API server finds invalid as a terminal InvalidSpec", async () => {
    const f = await failureOf(
      core().createNamespacedConfigMap({
        namespace: quotaNs,
        body: { metadata: { name: "Not_Valid" } },
      }),
    );
    const err = errorForApiFailure("ConfigMap Not_Valid", f);
    expect(err.reason).toBe(Reasons.InvalidSpec);
    expect(err.terminal).toBe(true);
  });
});

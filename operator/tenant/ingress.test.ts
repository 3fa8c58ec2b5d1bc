import { describe, expect, it } from "vitest";
import type { Tenant } from "../api/types.js";
import { renderIngresses, tlsSecretNames } from "./ingress.js";
import type { RenderConfig } from "./render-config.js";
import { resolveTenant } from "./spec.js";
import { renderConfig, tenant } from "./testing/fixtures.js";

function ingressesOf(t: Tenant, config: RenderConfig = renderConfig()) {
  const [http, grpc] = renderIngresses(resolveTenant(t, config));
  return { http: http!, grpc: grpc! };
}

describe("the tenant Ingresses", () => {
  it("routes <host> to Service tenant's http port and grpc.<host> to Service tenant-grpc's grpc port with the GRPC backend protocol", () => {
    const { http, grpc } = ingressesOf(tenant().withHost("acme.example.com").build());
    expect(http.spec?.rules).toEqual([
      {
        host: "acme.example.com",
        http: {
          paths: [
            {
              path: "/",
              pathType: "Prefix",
              backend: { service: { name: "tenant", port: { name: "http" } } },
            },
          ],
        },
      },
    ]);
    expect(grpc.spec?.rules?.[0]?.host).toBe("grpc.acme.example.com");
    expect(grpc.spec?.rules?.[0]?.http?.paths[0]?.backend.service).toEqual({
      name: "tenant-grpc",
      port: { name: "grpc" },
    });
    expect(grpc.metadata?.annotations?.["nginx.ingress.kubernetes.io/backend-protocol"]).toBe(
      "GRPC",
    );
    expect(
      http.metadata?.annotations?.["nginx.ingress.kubernetes.io/backend-protocol"],
    ).toBeUndefined();
  });

  it.each([
    {
      case: "spec ClusterIssuer",
      t: tenant().withIssuer("le-prod").build(),
      config: renderConfig(),
      want: { "cert-manager.io/cluster-issuer": "le-prod" },
    },
    {
      case: "spec Issuer",
      t: tenant().withIssuer("local", "Issuer").build(),
      config: renderConfig({ defaultIssuer: { name: "le", kind: "ClusterIssuer" } }),
      want: { "cert-manager.io/issuer": "local" },
    },
    {
      case: "operator default issuer",
      t: tenant().build(),
      config: renderConfig({ defaultIssuer: { name: "le", kind: "ClusterIssuer" } }),
      want: { "cert-manager.io/cluster-issuer": "le" },
    },
    { case: "no issuer anywhere", t: tenant().build(), config: renderConfig(), want: {} },
  ])("requests TLS from cert-manager: $case", ({ t, config, want }) => {
    const { http, grpc } = ingressesOf(t, config);
    const certAnnotations = (a: Record<string, string> = {}) =>
      Object.fromEntries(Object.entries(a).filter(([k]) => k.startsWith("cert-manager.io/")));
    expect(certAnnotations(http.metadata?.annotations)).toEqual(want);
    expect(certAnnotations(grpc.metadata?.annotations)).toEqual(want);
    expect(http.spec?.tls).toEqual([
      { hosts: ["acme.example.com"], secretName: "tenant-http-tls" },
    ]);
    expect(grpc.spec?.tls).toEqual([
      { hosts: ["grpc.acme.example.com"], secretName: "tenant-grpc-tls" },
    ]);
  });

  it("has no TLS section and no issuer annotation when TLS is disabled", () => {
    const config = renderConfig({ defaultIssuer: { name: "le", kind: "ClusterIssuer" } });
    const { http, grpc } = ingressesOf(tenant().tlsDisabled().build(), config);
    for (const ing of [http, grpc]) {
      expect(ing.spec?.tls).toBeUndefined();
      expect(
        Object.keys(ing.metadata?.annotations ?? {}).filter((k) =>
          k.startsWith("cert-manager.io/"),
        ),
      ).toEqual([]);
    }
  });

  it("uses the spec's IngressClass, else the operator's, else none", () => {
    const config = renderConfig({ ingressClass: "nginx" });
    expect(
      ingressesOf(tenant().withIngressClass("internal").build(), config).http.spec
        ?.ingressClassName,
    ).toBe("internal");
    expect(ingressesOf(tenant().build(), config).http.spec?.ingressClassName).toBe("nginx");
    expect(ingressesOf(tenant().build()).http.spec).not.toHaveProperty("ingressClassName");
  });
});

describe("the TLS Secrets to wait for", () => {
  it("are the two Ingress Secrets, or none with TLS off", () => {
    const config = renderConfig();
    expect(tlsSecretNames(resolveTenant(tenant().build(), config))).toEqual([
      "tenant-http-tls",
      "tenant-grpc-tls",
    ]);
    expect(tlsSecretNames(resolveTenant(tenant().tlsDisabled().build(), config))).toEqual([]);
  });
});

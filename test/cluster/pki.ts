// Keys and certificates of a local cluster, made with the openssl CLI (node:crypto cannot
// issue X.509 certificates): a throwaway CA, the API server's serving certificate, an admin
// client certificate (group system:masters) and the service-account signing key pair.
import { execFileSync } from "node:child_process";
import { generateKeyPairSync } from "node:crypto";
import fs from "node:fs";
import path from "node:path";

export interface Pki {
  caCert: string;
  caKey: string;
  servingCert: string;
  servingKey: string;
  adminCert: string;
  adminKey: string;
  /** Service-account token signing key (controller-manager, API server) and its public half. */
  saKey: string;
  saPub: string;
}

/** Paths of the PKI files under `dir` (they may not exist yet). */
export function pkiPaths(dir: string): Pki {
  const p = (name: string): string => path.join(dir, name);
  return {
    caCert: p("ca.crt"),
    caKey: p("ca.key"),
    servingCert: p("apiserver.crt"),
    servingKey: p("apiserver.key"),
    adminCert: p("admin.crt"),
    adminKey: p("admin.key"),
    saKey: p("sa.key"),
    saPub: p("sa.pub"),
  };
}

function openssl(args: string[]): void {
  try {
    execFileSync("openssl", args, { stdio: ["ignore", "ignore", "pipe"] });
  } catch (err) {
    const stderr = (err as { stderr?: Buffer }).stderr?.toString() ?? "";
    throw new Error(`openssl ${args.join(" ")} failed: ${(err as Error).message}\n${stderr}`, {
      cause: err,
    });
  }
}

function writeKey(file: string): void {
  const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  fs.writeFileSync(file, privateKey.export({ type: "pkcs8", format: "pem" }), { mode: 0o600 });
}

/** Issues a certificate for `key`, signed by the CA, with the given extensions. */
function issue(pki: Pki, dir: string, name: string, subject: string, extensions: string[]): void {
  const csr = path.join(dir, `${name}.csr`);
  const ext = path.join(dir, `${name}.ext`);
  const key = path.join(dir, `${name}.key`);
  writeKey(key);
  openssl(["req", "-new", "-key", key, "-subj", subject, "-out", csr]);
  fs.writeFileSync(ext, extensions.join("\n") + "\n");
  openssl([
    ...["x509", "-req", "-in", csr, "-CA", pki.caCert, "-CAkey", pki.caKey, "-CAcreateserial"],
    ...["-days", "3650", "-sha256", "-extfile", ext, "-out", path.join(dir, `${name}.crt`)],
  ]);
  fs.rmSync(csr);
  fs.rmSync(ext);
}

/** Creates every key and certificate under `dir`; `serviceIp` is the kubernetes Service IP. */
export function createPki(dir: string, serviceIp: string): Pki {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const pki = pkiPaths(dir);
  writeKey(pki.caKey);
  openssl([
    ...["req", "-x509", "-new", "-key", pki.caKey, "-subj", "/CN=tenant-operator-local-ca"],
    ...["-days", "3650", "-sha256", "-out", pki.caCert],
    ...["-addext", "basicConstraints=critical,CA:TRUE"],
    ...["-addext", "keyUsage=critical,keyCertSign,cRLSign,digitalSignature"],
  ]);
  const sans = [
    "IP:127.0.0.1",
    `IP:${serviceIp}`,
    "DNS:localhost",
    "DNS:kubernetes",
    "DNS:kubernetes.default",
    "DNS:kubernetes.default.svc",
    "DNS:kubernetes.default.svc.cluster.local",
  ];
  issue(pki, dir, "apiserver", "/CN=kube-apiserver", [
    "basicConstraints=CA:FALSE",
    "keyUsage=critical,digitalSignature,keyEncipherment",
    "extendedKeyUsage=serverAuth",
    `subjectAltName=${sans.join(",")}`,
  ]);
  issue(pki, dir, "admin", "/O=system:masters/CN=tenant-operator-admin", [
    "basicConstraints=CA:FALSE",
    "keyUsage=critical,digitalSignature,keyEncipherment",
    "extendedKeyUsage=clientAuth",
  ]);
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  fs.writeFileSync(pki.saKey, privateKey.export({ type: "pkcs8", format: "pem" }), { mode: 0o600 });
  fs.writeFileSync(pki.saPub, publicKey.export({ type: "spki", format: "pem" }));
  return pki;
}

/** An admin kubeconfig with every credential embedded, so the file can be copied alone. */
export function adminKubeconfig(pki: Pki, server: string, name = "tenant-operator-local"): string {
  const b64 = (file: string): string => fs.readFileSync(file).toString("base64");
  return [
    "apiVersion: v1",
    "kind: Config",
    "clusters:",
    `- name: ${name}`,
    "  cluster:",
    `    server: ${server}`,
    `    certificate-authority-data: ${b64(pki.caCert)}`,
    "users:",
    "- name: admin",
    "  user:",
    `    client-certificate-data: ${b64(pki.adminCert)}`,
    `    client-key-data: ${b64(pki.adminKey)}`,
    "contexts:",
    `- name: ${name}`,
    "  context:",
    `    cluster: ${name}`,
    "    user: admin",
    `current-context: ${name}`,
    "",
  ].join("\n");
}

/**
 * A client certificate signed by the cluster's CA (`subject` e.g. `/O=system:nodes/CN=system:node:x`),
 * for the real node's kubelet and kube-proxy. Returns the paths of the certificate and key.
 */
export function issueClientCert(
  dir: string,
  name: string,
  subject: string,
): { cert: string; key: string } {
  issue(pkiPaths(dir), dir, name, subject, [
    "basicConstraints=CA:FALSE",
    "keyUsage=critical,digitalSignature,keyEncipherment",
    "extendedKeyUsage=clientAuth",
  ]);
  return { cert: path.join(dir, `${name}.crt`), key: path.join(dir, `${name}.key`) };
}

/** A kubeconfig that points at the certificate files (for the node's components). */
export function clientKubeconfig(
  caCert: string,
  client: { cert: string; key: string },
  server: string,
): string {
  return [
    "apiVersion: v1",
    "kind: Config",
    "clusters:",
    "- name: local",
    `  cluster: { server: "${server}", certificate-authority: "${caCert}" }`,
    "users:",
    "- name: client",
    `  user: { client-certificate: "${client.cert}", client-key: "${client.key}" }`,
    "contexts:",
    "- name: local",
    "  context: { cluster: local, user: client }",
    "current-context: local",
    "",
  ].join("\n");
}

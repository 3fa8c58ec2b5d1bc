/**
 * Test-only token minting: real key pairs (jose), signed JWTs, and the hostile variants a
 * verifier must refuse (alg none, HS256 keyed with the public key). Plus a JWKS served over
 * local HTTP that counts its fetches and can be rotated.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import {
  type CryptoKey,
  type JWK,
  type JWTPayload,
  exportJWK,
  exportSPKI,
  generateKeyPair,
  SignJWT,
  UnsecuredJWT,
} from "jose";

export const ISSUER = "https://issuer.test/";
export const AUDIENCE = "tenant-api";

export interface TestKey {
  kid: string;
  alg: "RS256" | "ES256";
  privateKey: CryptoKey;
  publicKey: CryptoKey;
  /** The public JWK as published in a key set. */
  jwk: JWK;
}

export async function makeKey(alg: "RS256" | "ES256", kid: string): Promise<TestKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const jwk = { ...(await exportJWK(publicKey)), kid, alg, use: "sig" };
  return { kid, alg, privateKey, publicKey, jwk };
}

export function jwks(...keys: TestKey[]): { keys: JWK[] } {
  return { keys: keys.map((k) => k.jwk) };
}

export interface MintOptions {
  issuer?: string;
  audience?: string | string[];
  /** Seconds from now; negative = already expired. undefined = 300. null = no exp claim. */
  expiresIn?: number | null;
  /** Seconds from now for nbf. */
  notBefore?: number;
  subject?: string;
  /** Override the kid in the header (e.g. one the key set does not have). */
  kid?: string;
  claims?: JWTPayload;
}

/** A JWT signed by `key`, valid for ISSUER/AUDIENCE unless options say otherwise. */
export async function mint(key: TestKey, options: MintOptions = {}): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const jwt = new SignJWT({ ...options.claims })
    .setProtectedHeader({ alg: key.alg, kid: options.kid ?? key.kid, typ: "JWT" })
    .setIssuer(options.issuer ?? ISSUER)
    .setAudience(options.audience ?? AUDIENCE)
    .setSubject(options.subject ?? "user-1")
    .setIssuedAt(now);
  const expiresIn = options.expiresIn === undefined ? 300 : options.expiresIn;
  if (expiresIn !== null) jwt.setExpirationTime(now + expiresIn);
  if (options.notBefore !== undefined) jwt.setNotBefore(now + options.notBefore);
  return jwt.sign(key.privateKey);
}

/** An unsigned token ("alg": "none") with otherwise valid claims. */
export function mintUnsigned(): string {
  const now = Math.floor(Date.now() / 1000);
  return new UnsecuredJWT({})
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setIssuedAt(now)
    .setExpirationTime(now + 300)
    .encode();
}

/**
 * The classic key-confusion attack: HS256 with the verifier's PUBLIC key (PEM text) as the
 * HMAC secret. A verifier that picks the algorithm from the token would accept it.
 */
export async function mintHs256WithPublicKey(key: TestKey): Promise<string> {
  const secret = new TextEncoder().encode(await exportSPKI(key.publicKey));
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({})
    .setProtectedHeader({ alg: "HS256", kid: key.kid, typ: "JWT" })
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setIssuedAt(now)
    .setExpirationTime(now + 300)
    .sign(secret);
}

export interface JwksServer {
  url: string;
  /** How many times the key set was fetched. */
  fetches(): number;
  /** Serve these keys from now on. */
  publish(...keys: TestKey[]): void;
  close(): Promise<void>;
}

export async function serveJwks(...keys: TestKey[]): Promise<JwksServer> {
  let body = JSON.stringify(jwks(...keys));
  let count = 0;
  const server: Server = createServer((req, res) => {
    count += 1;
    res.setHeader("content-type", "application/jwk-set+json");
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/.well-known/jwks.json`,
    fetches: () => count,
    publish: (...next) => {
      body = JSON.stringify(jwks(...next));
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

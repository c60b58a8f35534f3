/** A self-signed P-256 certificate for `--tls self-signed`, made once and kept in the data dir. */
import "reflect-metadata";
import * as x509 from "@peculiar/x509";
import { encodeBase64, encodeHex } from "../shared/base64.ts";

/** PEM certificate and key. */
export interface CertPair {
  cert: string;
  key: string;
}

const VALID_DAYS = 825;

/** Loads `<dir>/cert.pem` and `<dir>/key.pem`, generating them when missing. */
export async function ensureSelfSigned(
  dir: string,
  names: { dns: string[]; ips: string[] },
): Promise<CertPair & { created: boolean }> {
  try {
    return {
      cert: await Deno.readTextFile(`${dir}/cert.pem`),
      key: await Deno.readTextFile(`${dir}/key.pem`),
      created: false,
    };
  } catch (err) {
    if (!(err instanceof Deno.errors.NotFound)) throw err;
  }
  const pair = await generateSelfSigned(names);
  await Deno.mkdir(dir, { recursive: true, mode: 0o700 });
  await Deno.writeTextFile(`${dir}/key.pem`, pair.key, { mode: 0o600 });
  await Deno.writeTextFile(`${dir}/cert.pem`, pair.cert, { mode: 0o644 });
  return { ...pair, created: true };
}

/** Generates a P-256 certificate for the given host names and IPs, valid 825 days. */
export async function generateSelfSigned(
  names: { dns: string[]; ips: string[] },
): Promise<CertPair> {
  x509.cryptoProvider.set(crypto);
  const alg = { name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" };
  const keys = await crypto.subtle.generateKey(alg, true, ["sign", "verify"]);
  const notBefore = new Date(Date.now() - 60_000);
  const notAfter = new Date(notBefore.getTime() + VALID_DAYS * 86_400_000);
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: positiveSerial(),
    name: `CN=${names.dns[0] ?? "bosun"}, O=Bosun self-signed`,
    notBefore,
    notAfter,
    keys,
    signingAlgorithm: alg,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension([
        ...names.dns.map((value) => ({ type: "dns" as const, value })),
        ...names.ips.map((value) => ({ type: "ip" as const, value })),
      ]),
    ],
  });
  const pkcs8 = new Uint8Array(await crypto.subtle.exportKey("pkcs8", keys.privateKey));
  return { cert: cert.toString("pem"), key: toPem("PRIVATE KEY", pkcs8) };
}

function toPem(label: string, der: Uint8Array): string {
  const b64 = encodeBase64(der).replace(/.{64}/g, "$&\n").trimEnd();
  return `-----BEGIN ${label}-----\n${b64}\n-----END ${label}-----\n`;
}

/** 16 random bytes as hex, the top bit cleared so the serial number is positive. */
function positiveSerial(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[0] &= 0x7f;
  return encodeHex(bytes);
}

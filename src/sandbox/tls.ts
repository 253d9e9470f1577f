import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { BluegreenError } from "../errors/index.ts";
import { exec, hasCommand } from "./exec.ts";

export const NODE_DN = "CN=node.sandbox.bluegreen,OU=sandbox,O=bluegreen";
export const ADMIN_DN = "CN=admin.sandbox.bluegreen,OU=sandbox,O=bluegreen";

export interface TlsFiles {
  readonly dir: string;
  readonly ca: string;
  readonly nodeCert: string;
  readonly nodeKey: string;
  readonly adminCert: string;
  readonly adminKey: string;
}

function subject(dn: string): string {
  // openssl wants "/O=…/OU=…/CN=…", most significant first.
  return `/${dn.split(",").reverse().join("/")}`;
}

async function openssl(args: string[], dir: string): Promise<void> {
  const result = await exec("openssl", args, { cwd: dir });
  if (result.code !== 0) {
    throw new BluegreenError(
      "BG_SANDBOX_START_FAILED",
      `openssl ${args[0]} failed: ${result.stderr.trim()}`,
      {
        fix: "Check the openssl installation (openssl version).",
      },
    );
  }
}

/**
 * A private CA per sandbox, so that a client trusting some other CA fails verification for real. Keys are
 * PKCS#8 because the security plugin's PEM reader wants that.
 */
export async function ensureTls(dir: string): Promise<TlsFiles> {
  const files: TlsFiles = {
    dir,
    ca: join(dir, "root-ca.pem"),
    nodeCert: join(dir, "node.pem"),
    nodeKey: join(dir, "node-key.pem"),
    adminCert: join(dir, "admin.pem"),
    adminKey: join(dir, "admin-key.pem"),
  };
  if (existsSync(files.adminKey)) return files;
  if (!(await hasCommand("openssl"))) {
    throw new BluegreenError(
      "BG_SANDBOX_START_FAILED",
      "openssl is not on PATH; the secure sandbox generates its certificates with it.",
      {
        fix: "Install it (Debian: apt-get install openssl).",
      },
    );
  }
  // A recursive mkdir gives every folder it creates the same mode; only the tls folder is private; the
  // sandbox folder above it must stay traversable for the node user.
  mkdirSync(dirname(dir), { recursive: true, mode: 0o755 });
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const days = "3650";
  await openssl(
    [
      "req",
      "-x509",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-keyout",
      "root-ca-key.pem",
      "-out",
      "root-ca.pem",
      "-days",
      days,
      "-subj",
      "/O=bluegreen/OU=sandbox/CN=bluegreen sandbox root CA",
    ],
    dir,
  );
  writeFileSync(
    join(dir, "node.ext"),
    "subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1\nextendedKeyUsage=serverAuth,clientAuth\n",
  );
  writeFileSync(join(dir, "admin.ext"), "extendedKeyUsage=clientAuth\n");
  for (const [name, dn] of [
    ["node", NODE_DN],
    ["admin", ADMIN_DN],
  ] as const) {
    await openssl(
      ["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", `${name}-key.pem`],
      dir,
    );
    await openssl(
      ["req", "-new", "-key", `${name}-key.pem`, "-out", `${name}.csr`, "-subj", subject(dn)],
      dir,
    );
    await openssl(
      [
        "x509",
        "-req",
        "-in",
        `${name}.csr`,
        "-CA",
        "root-ca.pem",
        "-CAkey",
        "root-ca-key.pem",
        "-CAcreateserial",
        "-out",
        `${name}.pem`,
        "-days",
        days,
        "-extfile",
        `${name}.ext`,
      ],
      dir,
    );
  }
  return files;
}

export function readCa(files: TlsFiles): string {
  return readFileSync(files.ca, "utf8");
}

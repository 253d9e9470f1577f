/**
 * TLS against a local HTTPS server: verification on by default, a custom CA, a wrong CA, the explicit
 * insecure opt-in, hostname checks and a client certificate.
 */
import assert from "node:assert/strict";
import { createServer } from "node:https";
import type { AddressInfo } from "node:net";
import { test } from "node:test";
import { createCluster } from "../../src/cluster/index.ts";
import type { ClusterConfig, ClusterTls } from "../../src/config/cluster-config.ts";
import { Secret } from "../../src/config/secret.ts";
import { isBluegreenError } from "../../src/errors/index.ts";

/** Test-only PKI (EC P-256, valid 2000-2100), made with `openssl ca`; these keys protect nothing. */
const CA_PEM = `-----BEGIN CERTIFICATE-----
MIIBaTCCAQ+gAwIBAgICEAAwCgYIKoZIzj0EAwIwHDEaMBgGA1UEAwwRYmx1ZWdy
ZWVuIHRlc3QgQ0EwIBcNMDAwMTAxMDAwMDAwWhgPMjEwMDAxMDEwMDAwMDBaMBwx
GjAYBgNVBAMMEWJsdWVncmVlbiB0ZXN0IENBMFkwEwYHKoZIzj0CAQYIKoZIzj0D
AQcDQgAEAuJH9fpNG0zHU+J69omlXFTm72ArDEiRH7U0OAS4bAC1rujuI/hHxKaz
L2m1gnZqPso3FheCB2tpxZEUGftmK6M/MD0wDwYDVR0TAQH/BAUwAwEB/zALBgNV
HQ8EBAMCAQYwHQYDVR0OBBYEFA0wGc9Z9KrTA+O4SYAX6slEgXVyMAoGCCqGSM49
BAMCA0gAMEUCIHi32oJJ2tmvHoXNbcZyPXXaWQxFAtHnTsi/MWtXKbZbAiEA5skc
g8ftVCKn4KgWGAZPzaEx7X/69f6PVcNz6rt54l4=
-----END CERTIFICATE-----
`;
const OTHER_CA_PEM = `-----BEGIN CERTIFICATE-----
MIIBXzCCAQWgAwIBAgICEAEwCgYIKoZIzj0EAwIwFzEVMBMGA1UEAwwMdW5yZWxh
dGVkIENBMCAXDTAwMDEwMTAwMDAwMFoYDzIxMDAwMTAxMDAwMDAwWjAXMRUwEwYD
VQQDDAx1bnJlbGF0ZWQgQ0EwWTATBgcqhkjOPQIBBggqhkjOPQMBBwNCAAQajfR9
RM29VBdCro37uXwFPUOjaPG7c85HIaipUeuN0xH0xo5X/vGvDmkCrDORUuDslL+E
HjIm/K61DGgsLWMKoz8wPTAPBgNVHRMBAf8EBTADAQH/MAsGA1UdDwQEAwIBBjAd
BgNVHQ4EFgQUN9v3EFr5/m/tIEY6TBuSJEgcyA8wCgYIKoZIzj0EAwIDSAAwRQIh
AJiWI/7qz2F9qVt1hgNshKa42+8E1ftpq7YIiyj3Op06AiAut7aZAPtjyYI/dW6W
IPWLtdfcYdlhdTV7qCMFptyZkg==
-----END CERTIFICATE-----
`;
const SERVER_CERT = `-----BEGIN CERTIFICATE-----
MIIBsDCCAVWgAwIBAgICEAIwCgYIKoZIzj0EAwIwHDEaMBgGA1UEAwwRYmx1ZWdy
ZWVuIHRlc3QgQ0EwIBcNMDAwMTAxMDAwMDAwWhgPMjEwMDAxMDEwMDAwMDBaMBQx
EjAQBgNVBAMMCWxvY2FsaG9zdDBZMBMGByqGSM49AgEGCCqGSM49AwEHA0IABH0W
HKJYYYMriL31y2FOsclcwvw2sbEHKXVhchulLW7mrmqeWMk6RxvjPFdyCFVbIT2B
GpB1Di2DpHdC9lG9eQGjgYwwgYkwCQYDVR0TBAIwADALBgNVHQ8EBAMCB4AwEwYD
VR0lBAwwCgYIKwYBBQUHAwEwGgYDVR0RBBMwEYIJbG9jYWxob3N0hwR/AAABMB0G
A1UdDgQWBBSAhfsL1aJq0jCXF7lsz679Gtu3fjAfBgNVHSMEGDAWgBQNMBnPWfSq
0wPjuEmAF+rJRIF1cjAKBggqhkjOPQQDAgNJADBGAiEA53JqfvzsrHjgiyO2a5He
XOrw13jnsqtQdtVfvx9CyRUCIQDThWLCr26ZC4znQAWPR4Y1HxXZWOFadu09aeYs
rslCvQ==
-----END CERTIFICATE-----
`;
const SERVER_KEY = `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgcOPZJgMwyZFVvRHm
46IismLEfNU7XsQLBCTtOgpwwOyhRANCAAR9FhyiWGGDK4i99cthTrHJXML8NrGx
Byl1YXIbpS1u5q5qnljJOkcb4zxXcghVWyE9gRqQdQ4tg6R3QvZRvXkB
-----END PRIVATE KEY-----
`;
const CLIENT_CERT = `-----BEGIN CERTIFICATE-----
MIIBmDCCAT6gAwIBAgICEAMwCgYIKoZIzj0EAwIwHDEaMBgGA1UEAwwRYmx1ZWdy
ZWVuIHRlc3QgQ0EwIBcNMDAwMTAxMDAwMDAwWhgPMjEwMDAxMDEwMDAwMDBaMBsx
GTAXBgNVBAMMEGJsdWVncmVlbi1jbGllbnQwWTATBgcqhkjOPQIBBggqhkjOPQMB
BwNCAASP7EWceOjA1iA/DQgzobFNKm4/vfpp2db84M+45LA0ubHd0kS6QpiJ9UUK
QsH+zMumNtHCaBp2wiWt2wnmMs+Eo28wbTAJBgNVHRMEAjAAMAsGA1UdDwQEAwIH
gDATBgNVHSUEDDAKBggrBgEFBQcDAjAdBgNVHQ4EFgQU4OGwvrnbZfqS6tsXalhQ
5891OZwwHwYDVR0jBBgwFoAUDTAZz1n0qtMD47hJgBfqyUSBdXIwCgYIKoZIzj0E
AwIDSAAwRQIgV2mpr1Swf1CefKKC55age6GyQSFRARrMgCVtyCh9Y40CIQDUfxjq
1v+D9XPk3L+39sdAYrMmY4+T3h3+Cdlvt5bmDA==
-----END CERTIFICATE-----
`;
const CLIENT_KEY = `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgZltpX+iD1lkXNWZB
C3e/k2h/ca5TUDHHur38idvQiAyhRANCAASP7EWceOjA1iA/DQgzobFNKm4/vfpp
2db84M+45LA0ubHd0kS6QpiJ9UUKQsH+zMumNtHCaBp2wiWt2wnmMs+E
-----END PRIVATE KEY-----
`;

async function httpsServer(requireClientCert = false): Promise<{ port: number; close(): Promise<void> }> {
  const server = createServer(
    {
      cert: SERVER_CERT,
      key: SERVER_KEY,
      ca: CA_PEM,
      requestCert: requireClientCert,
      rejectUnauthorized: requireClientCert,
    },
    (_req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.end('{"tls":"ok"}');
    },
  );
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function config(url: string, tls: ClusterTls): ClusterConfig {
  return {
    name: "source",
    urls: [url],
    auth: { type: "none" },
    tls,
    requestTimeoutMs: 3000,
    retry: { maxAttempts: 3, initialDelayMs: 1, maxDelayMs: 2 },
  };
}

async function get(url: string, tls: ClusterTls): Promise<unknown> {
  const cluster = createCluster(config(url, tls));
  try {
    const response = await cluster.request({ method: "GET", path: "/" });
    return response.body;
  } finally {
    await cluster.close();
  }
}

function tlsFailure(pattern: RegExp, fix: RegExp) {
  return (error: unknown): boolean => {
    assert.ok(isBluegreenError(error, "BG_CLUSTER_TLS"), `expected BG_CLUSTER_TLS, got ${String(error)}`);
    assert.match(error.message, pattern);
    assert.match(error.fix ?? "", fix);
    assert.equal(error.details.attempts, 1, "a TLS failure is not retried");
    return true;
  };
}

test("tls.ca with the cluster's CA: verified connection", async () => {
  const server = await httpsServer();
  try {
    assert.deepEqual(await get(`https://localhost:${server.port}`, { ca: CA_PEM, insecure: false }), {
      tls: "ok",
    });
    assert.deepEqual(await get(`https://127.0.0.1:${server.port}`, { ca: CA_PEM, insecure: false }), {
      tls: "ok",
    });
  } finally {
    await server.close();
  }
});

test("a wrong CA: BG_CLUSTER_TLS about certificate verification, with the tls.ca fix", async () => {
  const server = await httpsServer();
  try {
    await assert.rejects(
      get(`https://localhost:${server.port}`, { ca: OTHER_CA_PEM, insecure: false }),
      tlsFailure(/certificate verification failed/, /tls\.ca.*tls\.insecure: true/),
    );
  } finally {
    await server.close();
  }
});

test("no CA configured: the system roots do not trust a private CA", async () => {
  const server = await httpsServer();
  try {
    await assert.rejects(
      get(`https://localhost:${server.port}`, { insecure: false }),
      tlsFailure(/certificate verification failed/, /tls\.ca/),
    );
  } finally {
    await server.close();
  }
});

test("tls.insecure: true is the only way to skip verification", async () => {
  const server = await httpsServer();
  try {
    assert.deepEqual(await get(`https://localhost:${server.port}`, { ca: OTHER_CA_PEM, insecure: true }), {
      tls: "ok",
    });
  } finally {
    await server.close();
  }
});

test("a certificate for another host name: BG_CLUSTER_TLS naming the host mismatch", async () => {
  const server = await httpsServer();
  try {
    await assert.rejects(
      get(`https://localhost:${server.port}`, {
        ca: CA_PEM,
        insecure: false,
        servername: "search.example.com",
      }),
      tlsFailure(/does not name this host/, /servername/),
    );
  } finally {
    await server.close();
  }
});

test("https:// to a plain-HTTP port: BG_CLUSTER_TLS pointing at the scheme", async () => {
  const { createServer: createHttpServer } = await import("node:http");
  const plain = createHttpServer((_req, res) => res.end("{}"));
  await new Promise<void>((resolve) => plain.listen(0, "127.0.0.1", resolve));
  const { port } = plain.address() as AddressInfo;
  try {
    await assert.rejects(
      get(`https://127.0.0.1:${port}`, { insecure: false }),
      tlsFailure(
        /TLS handshake with cluster "source" failed \(.*\): wrong version number \(EPROTO\)$/,
        /http:\/\//,
      ),
    );
  } finally {
    plain.closeAllConnections();
    await new Promise<void>((resolve) => plain.close(() => resolve()));
  }
});

test("mutual TLS: tls.cert and tls.key are presented to a server that requires them", async () => {
  const server = await httpsServer(true);
  try {
    const tls: ClusterTls = { ca: CA_PEM, cert: CLIENT_CERT, key: new Secret(CLIENT_KEY), insecure: false };
    assert.deepEqual(await get(`https://localhost:${server.port}`, tls), { tls: "ok" });
    await assert.rejects(
      get(`https://localhost:${server.port}`, { ca: CA_PEM, insecure: false }),
      tlsFailure(/certificate required/, /tls\.cert and tls\.key/),
    );
  } finally {
    await server.close();
  }
});

import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { test } from "node:test";
import { createCluster } from "../../src/cluster/index.ts";
import { amzDate, payloadHash, resolveSigV4Credentials, signSigV4 } from "../../src/cluster/sigv4.ts";
import type { ClusterAuth } from "../../src/config/cluster-config.ts";
import { Secret } from "../../src/config/secret.ts";
import { isBluegreenError } from "../../src/errors/index.ts";

/**
 * Vectors from the AWS SigV4 test suite (aws-sig-v4-test-suite: get-vanilla, post-vanilla,
 * get-vanilla-query-order-key-case), cross-checked against @aws-sdk/signature-v4's suite fixture.
 */
const SUITE = {
  credentials: {
    accessKeyId: new Secret("AKIDEXAMPLE"),
    secretAccessKey: new Secret("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"),
  },
  scope: { region: "us-east-1", service: "service" },
  at: new Date(Date.UTC(2015, 7, 30, 12, 36, 0)),
};
const PREFIX =
  "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=";

const vectors = [
  {
    name: "get-vanilla",
    method: "GET",
    path: "/",
    signature: "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31",
  },
  {
    name: "post-vanilla",
    method: "POST",
    path: "/",
    signature: "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b",
  },
  {
    name: "get-vanilla-query-order-key-case",
    method: "GET",
    path: "/?Param2=value2&Param1=value1",
    signature: "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500",
  },
];

for (const vector of vectors) {
  test(`SigV4 matches the AWS test suite: ${vector.name}`, () => {
    const signed = signSigV4(
      { method: vector.method, hostname: "example.amazonaws.com", path: vector.path, headers: {} },
      SUITE.credentials,
      SUITE.scope,
      SUITE.at,
    );
    assert.equal(signed.headers.authorization, PREFIX + vector.signature);
    assert.equal(signed.headers["x-amz-date"], "20150830T123600Z");
    assert.equal(signed.headers["x-amz-content-sha256"], undefined);
  });
}

test("amzDate and payloadHash", () => {
  assert.equal(amzDate(SUITE.at), "20150830T123600Z");
  assert.equal(payloadHash(undefined), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  assert.equal(payloadHash("{}"), createHash("sha256").update("{}").digest("hex"));
});

test("signing drops a stale Authorization header and adds the session token", () => {
  const signed = signSigV4(
    { method: "GET", hostname: "h.example", path: "/", headers: { Authorization: "Basic stale" } },
    { ...SUITE.credentials, sessionToken: new Secret("TOKEN") },
    { region: "eu-west-1", service: "es" },
    SUITE.at,
  );
  assert.match(
    signed.headers.authorization ?? "",
    /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/20150830\/eu-west-1\/es\//,
  );
  assert.match(signed.headers.authorization ?? "", /SignedHeaders=host;x-amz-date;x-amz-security-token,/);
  assert.equal(signed.headers["x-amz-security-token"], "TOKEN");
});

async function recordOne(): Promise<{
  url: string;
  seen: Promise<{ req: IncomingMessage; body: string }>;
  close(): Promise<void>;
}> {
  let deliver: (value: { req: IncomingMessage; body: string }) => void = () => {};
  const seen = new Promise<{ req: IncomingMessage; body: string }>((resolve) => {
    deliver = resolve;
  });
  const server = createServer((req, res) => {
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (chunk: string) => {
      body += chunk;
    });
    req.on("end", () => {
      deliver({ req, body });
      res.writeHead(200, { "content-type": "application/json" });
      res.end("{}");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

for (const service of ["aoss", "es"] as const) {
  test(`requests to ${service} are signed on the wire${service === "aoss" ? " and carry x-amz-content-sha256" : ""}`, async () => {
    const server = await recordOne();
    const auth: ClusterAuth = {
      type: "sigv4",
      region: "us-west-2",
      service,
      accessKeyId: new Secret("AKIDEXAMPLE"),
      secretAccessKey: new Secret("secret"),
    };
    const cluster = createCluster(
      {
        name: "target",
        urls: [server.url],
        auth,
        tls: { insecure: false },
        requestTimeoutMs: 2000,
        retry: { maxAttempts: 1, initialDelayMs: 1, maxDelayMs: 1 },
      },
      { now: () => SUITE.at },
    );
    try {
      await cluster.request({
        method: "POST",
        path: "/logs-*/_search",
        querystring: { expand_wildcards: "open,hidden", size: 0 },
        body: { query: { match_all: {} } },
        idempotent: true,
      });
      const { req, body } = await server.seen;
      // Re-sign what actually arrived: the signature must cover exactly these bytes.
      const signedNames =
        /SignedHeaders=([^,]+)/.exec(String(req.headers.authorization))?.[1]?.split(";") ?? [];
      const arrived: Record<string, string> = {};
      for (const name of signedNames) arrived[name] = String(req.headers[name]);
      const again = signSigV4(
        { method: req.method ?? "", hostname: "ignored", path: req.url ?? "", headers: arrived, body },
        { accessKeyId: new Secret("AKIDEXAMPLE"), secretAccessKey: new Secret("secret") },
        { region: "us-west-2", service },
        SUITE.at,
      );
      assert.equal(again.headers.authorization, req.headers.authorization);
      assert.equal(req.headers["x-amz-date"], "20150830T123600Z");
      const authorization = String(req.headers.authorization);
      assert.match(
        authorization,
        new RegExp(`^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-west-2/${service}/aws4_request, `),
      );
      if (service === "aoss") {
        assert.equal(req.headers["x-amz-content-sha256"], createHash("sha256").update(body).digest("hex"));
        assert.match(authorization, /SignedHeaders=[^,]*x-amz-content-sha256/);
      }
    } finally {
      await cluster.close();
      await server.close();
    }
  });
}

test("credentials: explicit keys win, else AWS_* variables, else BG_CLUSTER_AUTH", () => {
  const explicit: Extract<ClusterAuth, { type: "sigv4" }> = {
    type: "sigv4",
    region: "us-east-1",
    service: "es",
    accessKeyId: new Secret("AKID"),
    secretAccessKey: new Secret("SK"),
  };
  assert.equal(resolveSigV4Credentials(explicit, "c", {}).accessKeyId.reveal(), "AKID");
  const fromEnv = resolveSigV4Credentials({ type: "sigv4", region: "us-east-1", service: "es" }, "c", {
    AWS_ACCESS_KEY_ID: "ENVKEY",
    AWS_SECRET_ACCESS_KEY: "ENVSECRET",
    AWS_SESSION_TOKEN: "ENVTOKEN",
  });
  assert.deepEqual(
    [fromEnv.accessKeyId.reveal(), fromEnv.secretAccessKey.reveal(), fromEnv.sessionToken?.reveal()],
    ["ENVKEY", "ENVSECRET", "ENVTOKEN"],
  );
  assert.throws(
    () => resolveSigV4Credentials({ type: "sigv4", region: "us-east-1", service: "es" }, "c", {}),
    (error) => isBluegreenError(error, "BG_CLUSTER_AUTH") && /AWS_ACCESS_KEY_ID/.test(error.fix ?? ""),
  );
  assert.throws(
    () =>
      resolveSigV4Credentials(
        { type: "sigv4", region: "us-east-1", service: "es", accessKeyId: new Secret("only-id") },
        "c",
        {},
      ),
    (error) => isBluegreenError(error, "BG_CLUSTER_AUTH"),
  );
});

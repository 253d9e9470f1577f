import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { deflateRawSync, deflateSync, gzipSync } from "node:zlib";
import { BadWrite } from "../../src/gateway/bad-write.ts";
import { decodeBody } from "../../src/gateway/respond.ts";

const DOC = Buffer.from('{"big":12345678901234567890,"s":"\\u00e9"}\n');

describe("request body encodings the cluster accepts", () => {
  const accepted: readonly [string | undefined, Buffer][] = [
    [undefined, DOC],
    ["identity", DOC],
    ["gzip", gzipSync(DOC)],
    ["x-gzip", gzipSync(DOC)],
    [" GZip ", gzipSync(DOC)],
    ["deflate", deflateSync(DOC)],
    ["deflate", deflateRawSync(DOC)],
    ["X-Deflate", deflateSync(DOC)],
  ];
  for (const [header, body] of accepted) {
    it(`${header ?? "no content-encoding"}${body === DOC ? "" : ` (${body[0]?.toString(16)} first)`}`, () => {
      assert.deepEqual(decodeBody(body, header, 1_000), DOC);
    });
  }

  const refused: readonly { name: string; header: string; body: Buffer; status: number; reason: RegExp }[] = [
    {
      name: "an encoding the cluster does not inflate",
      header: "br",
      body: DOC,
      status: 400,
      reason: /^content-encoding br is not supported \(use gzip, deflate or none\)$/,
    },
    {
      name: "gzip that is not gzip",
      header: "gzip",
      body: DOC,
      status: 400,
      reason: /^the gzip body cannot be decompressed: /,
    },
    {
      name: "deflate that is not deflate",
      header: "deflate",
      body: Buffer.from([0xff, 0xff, 0xff]),
      status: 400,
      reason: /^the deflate body cannot be decompressed: /,
    },
    {
      name: "larger than gateway.maxBodySize once inflated",
      header: "deflate",
      body: deflateSync(Buffer.alloc(5_000, 0x20)),
      status: 413,
      reason: /exceeds gateway.maxBodySize \(1000 bytes\)/,
    },
  ];
  for (const c of refused) {
    it(`refuses ${c.name}`, () => {
      assert.throws(
        () => decodeBody(c.body, c.header, 1_000),
        (error: unknown) =>
          error instanceof BadWrite && error.status === c.status && c.reason.test(error.message),
      );
    });
  }
});

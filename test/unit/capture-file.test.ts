import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { captureLogConformance } from "../conformance/capture-log.ts";

// Small segments so the suite rolls, indexes and releases several segments.
captureLogConformance(
  "file",
  () => ({
    kind: "file",
    dir: join(mkdtempSync(join(tmpdir(), "cl-file-")), "log"),
    segmentBytes: 16 * 1024,
  }),
  { crash: true },
);

/**
 * A write the gateway refuses before anything is forwarded or logged. `type` is the error type
 * OpenSearch itself gives for the same request (e.g. `illegal_argument_exception` for a malformed
 * `_bulk` action line), so a client matching on it cannot tell the gateway answered; the gateway's own
 * refusals (size limit, unsupported encoding) keep `bluegreen_gateway_exception`.
 */
export class BadWrite extends Error {
  /** 500 only where OpenSearch itself answers 500 (a number out of range for a long in an action line). */
  readonly status: 400 | 413 | 500;
  readonly type: string;

  constructor(status: 400 | 413 | 500, message: string, type = "bluegreen_gateway_exception") {
    super(message);
    this.name = "BadWrite";
    this.status = status;
    this.type = type;
  }
}

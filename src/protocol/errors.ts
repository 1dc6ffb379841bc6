/** A violation of the wire protocol by the client: answered with 08P01 and a close. */
export class ProtocolViolation extends Error {
  readonly code: string;
  constructor(message: string, code = '08P01') {
    super(message);
    this.code = code;
  }
}

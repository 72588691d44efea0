// The few failures kube-apiserver answers in plain text (Go's http.Error) rather than as a Status:
// failed health checks, an unknown health check, an authorizer that could not decide. Thrown like
// a StatusError; the one error-handling middleware writes the text verbatim.

export class TextError extends Error {
  constructor(
    readonly code: number,
    readonly body: string,
  ) {
    super(body.trimEnd());
    this.name = 'TextError';
  }
}

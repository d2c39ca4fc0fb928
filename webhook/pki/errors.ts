/**
 * A caller supplied something unusable. `field` names the input (a parameter, a PCR field or a
 * CLI flag) and the message says what the accepted form is, so callers can surface it verbatim.
 */
export class PkiInputError extends Error {
  readonly field: string;

  constructor(field: string, message: string) {
    super(`${field}: ${message}`);
    this.name = 'PkiInputError';
    this.field = field;
  }
}

export function isPkiInputError(err: unknown): err is PkiInputError {
  return err instanceof PkiInputError;
}

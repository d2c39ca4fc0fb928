/** The logger calls the identity controllers make (pino's Logger fits). Never given key material. */
export interface IdentityLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

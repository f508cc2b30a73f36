/**
 * Typed errors with a stable `code` and HTTP status. The one error handler (src/http) renders
 * `{ "error": { "code", "message", "requestId" } }` from them; anything else becomes a bare 500.
 */
export class AppError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: number = 400,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'AppError';
  }
}

export const notFound = (what: string, code = 'not_found') => new AppError(code, `${what} not found`, 404);
export const conflict = (code: string, message: string) => new AppError(code, message, 409);
export const invalid = (code: string, message: string, details?: unknown) =>
  new AppError(code, message, 422, details);
export const forbidden = (message = 'You do not have access to this resource', code = 'forbidden') =>
  new AppError(code, message, 403);
export const unauthorized = (message = 'Sign in required', code = 'unauthorized') =>
  new AppError(code, message, 401);

/** Result type for guards and parsers whose "no" is a normal outcome. */
export type Result<T, E = { code: string; message: string }> =
  { ok: true; value: T } | { ok: false; error: E };
export const ok = <T>(value: T): Result<T, never> => ({ ok: true, value });
export const err = <E>(error: E): Result<never, E> => ({ ok: false, error });

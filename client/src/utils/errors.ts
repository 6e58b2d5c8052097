import type { ApiErrorCode } from '@/api/http';

/** The catalogue key that explains a failure (an ApiError, or a socket ack's error body) to a person. */
export function errorKey(error: { code: ApiErrorCode } | null): `errors.${ApiErrorCode}` {
  return `errors.${error?.code ?? 'INTERNAL'}`;
}

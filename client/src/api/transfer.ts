// File transfers that fetch cannot do well: an upload with progress (XMLHttpRequest reports bytes sent)
// and a download of a generated file (template, xlsx export) saved under the name the hub suggests.
import { ApiError, apiErrorFrom, buildUrl, currentToken, reportUnauthorized } from './http';

type Query = Record<string, string | number | boolean | null | undefined>;

export interface UploadOptions {
  query?: Query;
  /** 0–100 as bytes leave the browser. */
  onProgress?: (percent: number) => void;
  signal?: AbortSignal;
}

/** Spreadsheet types the hub accepts; a browser that reports none for .csv/.xlsx gets the right one. */
export function contentTypeOf(file: File): string {
  const name = file.name.toLowerCase();
  if (name.endsWith('.xlsx')) return 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
  if (name.endsWith('.csv')) return 'text/csv';
  return file.type || 'application/octet-stream';
}

/** Sends the file as the raw request body with its own content type, and returns the JSON answer. */
export function uploadFile<T>(path: string, file: File, options: UploadOptions = {}): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    const token = currentToken();
    xhr.open('POST', buildUrl(path, options.query));
    xhr.setRequestHeader('Accept', 'application/json');
    xhr.setRequestHeader('Content-Type', contentTypeOf(file));
    if (token) xhr.setRequestHeader('Authorization', `Bearer ${token}`);
    xhr.responseType = 'text';

    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable && event.total > 0) options.onProgress?.(Math.round((event.loaded / event.total) * 100));
    };
    xhr.onload = () => {
      let body: unknown;
      try {
        body = xhr.responseText ? (JSON.parse(xhr.responseText) as unknown) : undefined;
      } catch {
        body = undefined;
      }
      if (xhr.status >= 200 && xhr.status < 300) {
        options.onProgress?.(100);
        if (body === undefined) reject(new ApiError('BAD_RESPONSE', 'empty or non-JSON response', xhr.status));
        else resolve(body as T);
        return;
      }
      reportUnauthorized(xhr.status, token);
      reject(apiErrorFrom(xhr.status, body, xhr.statusText));
    };
    xhr.onerror = () => reject(new ApiError('NETWORK', 'network error', 0));
    xhr.onabort = () => reject(new DOMException('upload aborted', 'AbortError'));
    options.signal?.addEventListener('abort', () => xhr.abort(), { once: true });
    xhr.send(file);
  });
}

/** `attachment; filename*=UTF-8''…` or `filename="…"` → the name; the fallback otherwise. */
export function fileNameFrom(disposition: string | null, fallback: string): string {
  if (!disposition) return fallback;
  const star = /filename\*\s*=\s*(?:UTF-8'')?([^;]+)/i.exec(disposition);
  if (star?.[1]) {
    try {
      return decodeURIComponent(star[1].trim().replace(/^"|"$/g, ''));
    } catch {
      /* fall through to the plain name */
    }
  }
  const plain = /filename\s*=\s*"?([^";]+)"?/i.exec(disposition);
  return plain?.[1]?.trim() || fallback;
}

/** Fetches a generated file with the session's token and hands it to the browser as a download. */
export async function downloadFile(path: string, fallbackName: string, query?: Query): Promise<string> {
  const token = currentToken();
  let response: Response;
  try {
    response = await fetch(buildUrl(path, query), {
      headers: token ? { Authorization: `Bearer ${token}` } : {},
      credentials: 'same-origin',
    });
  } catch (cause) {
    throw new ApiError('NETWORK', cause instanceof Error ? cause.message : 'network error', 0);
  }
  if (!response.ok) {
    reportUnauthorized(response.status, token);
    const text = await response.text();
    let body: unknown;
    try {
      body = text ? (JSON.parse(text) as unknown) : undefined;
    } catch {
      body = undefined;
    }
    throw apiErrorFrom(response.status, body, response.statusText);
  }
  const name = fileNameFrom(response.headers.get('Content-Disposition'), fallbackName);
  const blob = await response.blob();
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  link.rel = 'noopener';
  document.body.append(link);
  link.click();
  link.remove();
  // The click has handed the blob to the download manager; the URL is no longer needed after this turn.
  setTimeout(() => URL.revokeObjectURL(url), 0);
  return name;
}

// A tiny client for the academy's APIs: the host's token callback supplies the bearer token.
// Every screen calls its endpoints through `Api`; its errors come back as `ApiError` in words.
import { type Catalogue, msg } from "./messages.js";

export type TokenProvider = () => Promise<string | null | undefined>;

export interface Progress {
  lessons_completed: number;
  lessons_total: number;
  modules_completed: number;
  modules_total: number;
  percent: number;
  complete: boolean;
}

export interface CertificateBrief {
  certificate_id: string;
  status: "not_yet_valid" | "valid" | "expired" | "revoked" | "superseded";
  expires_at: string;
  recert_window_opens_at: string;
}

export interface TrackSummary {
  track_key: string;
  jurisdiction: string;
  role: string;
  title: string;
  version: string;
  progress: Progress;
  certificate: CertificateBrief | null;
}

interface Problem {
  field: string;
  problem: string;
}

/** What went wrong, in words; `lines` lists each refused field when the API names them. */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly code: string | null,
    readonly lines: string[] = [],
    /** The API's whole error body (for screens that show more, e.g. a cooldown's end). */
    readonly body: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = "ApiError";
  }
}

/** The `ApiError` for an API answer that is not 2xx. */
export function errorFor(status: number, body: unknown, catalogue: Catalogue): ApiError {
  const data = (typeof body === "object" && body !== null ? body : {}) as Record<string, unknown>;
  const code = typeof data.error === "string" ? data.error : null;
  const detail = typeof data.detail === "string" && data.detail.trim() ? data.detail : null;
  const problems = Array.isArray(data.problems) ? (data.problems as Problem[]) : [];
  const lines = problems
    .filter((p) => typeof p?.field === "string" && typeof p?.problem === "string")
    .map((p) => (p.field ? `${p.field}: ${p.problem}` : p.problem));
  let summary: string;
  if (status === 401) summary = msg(catalogue, "error.unauthorized");
  else if (status === 403) summary = msg(catalogue, "error.forbidden");
  else if (status === 404) summary = msg(catalogue, "error.not_found");
  else if (status === 413) summary = msg(catalogue, "error.too_large");
  else if (status === 422) summary = msg(catalogue, "error.invalid_request");
  else if (status === 409) summary = msg(catalogue, "error.conflict");
  else if (status === 429) summary = msg(catalogue, "error.rate_limited");
  else if (status >= 500) summary = msg(catalogue, "error.server");
  else summary = msg(catalogue, "error.unknown", { status });
  // The API's detail says what to fix; a server error's detail is not for people.
  const message = detail && status < 500 && status !== 401 ? `${summary} ${detail}` : summary;
  return new ApiError(message, status, code, lines, data);
}

/** Any failure as an `ApiError` (a thrown TypeError from a bug reads as a network problem). */
export function asApiError(error: unknown, catalogue: Catalogue): ApiError {
  return error instanceof ApiError
    ? error
    : new ApiError(msg(catalogue, "error.network"), 0, "network");
}

export type Method = "GET" | "POST" | "PUT" | "DELETE";

/** One API's base URL with the host's token; empty base means the page's own origin. */
export class Api {
  constructor(
    private readonly base: string,
    private readonly tokenProvider: TokenProvider | undefined,
    private readonly catalogue: Catalogue,
  ) {}

  async request<T>(
    method: Method,
    path: string,
    body?: unknown,
    signal?: AbortSignal,
    extraHeaders: Record<string, string> = {},
  ): Promise<T> {
    const response = await this.send(method, path, body, signal, extraHeaders);
    return (response.status === 204 ? null : await response.json().catch(() => null)) as T;
  }

  /** An HTML page of the API that needs the bearer token (the printable certificate). */
  async page(path: string, signal?: AbortSignal): Promise<string> {
    const response = await this.send("GET", path, undefined, signal, { Accept: "text/html" });
    return response.text();
  }

  private async send(
    method: Method,
    path: string,
    body: unknown,
    signal: AbortSignal | undefined,
    extraHeaders: Record<string, string>,
  ): Promise<Response> {
    const token = this.tokenProvider ? await this.tokenProvider() : null;
    if (!token) throw new ApiError(msg(this.catalogue, "error.no_token"), 0, "no_token");
    const headers: Record<string, string> = { Accept: "application/json", ...extraHeaders };
    headers.Authorization = `Bearer ${token}`;
    if (body !== undefined) headers["Content-Type"] = "application/json";
    let response: Response;
    try {
      response = await fetch(`${this.base.replace(/\/$/, "")}${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal,
      });
    } catch (error) {
      if (signal?.aborted) throw error;
      throw new ApiError(msg(this.catalogue, "error.network"), 0, "network");
    }
    if (!response.ok) {
      const answer: unknown = await response.json().catch(() => null);
      throw errorFor(response.status, answer, this.catalogue);
    }
    return response;
  }

  get<T>(path: string, signal?: AbortSignal): Promise<T> {
    return this.request<T>("GET", path, undefined, signal);
  }

  /** POST JSON; `headers` adds e.g. the exam submission's Idempotency-Key. */
  post<T>(
    path: string,
    body: unknown = {},
    signal?: AbortSignal,
    headers: Record<string, string> = {},
  ): Promise<T> {
    return this.request<T>("POST", path, body, signal, headers);
  }

  put<T>(path: string, body?: unknown, signal?: AbortSignal): Promise<T> {
    return this.request<T>("PUT", path, body, signal);
  }
}

/** A path segment, escaped (ids come from the API, but never trust a slash). */
export const seg = (value: string): string => encodeURIComponent(value);

// A tiny client for the assessment API: the host's token callback supplies the bearer token.
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
  ) {
    super(message);
    this.name = "ApiError";
  }
}

function errorFor(status: number, body: unknown, catalogue: Catalogue): ApiError {
  const data = (typeof body === "object" && body !== null ? body : {}) as {
    error?: unknown;
    detail?: unknown;
    problems?: unknown;
  };
  const code = typeof data.error === "string" ? data.error : null;
  const detail = typeof data.detail === "string" && data.detail.trim() ? data.detail : null;
  const problems = Array.isArray(data.problems) ? (data.problems as Problem[]) : [];
  const lines = problems
    .filter((p) => typeof p?.field === "string" && typeof p?.problem === "string")
    .map((p) => `${p.field}: ${p.problem}`);
  let summary: string;
  if (status === 401) summary = msg(catalogue, "error.unauthorized");
  else if (status === 403) summary = msg(catalogue, "error.forbidden");
  else if (status === 404) summary = msg(catalogue, "error.not_found");
  else if (status === 422) summary = msg(catalogue, "error.invalid_request");
  else if (status === 409) summary = msg(catalogue, "error.conflict");
  else if (status === 429) summary = msg(catalogue, "error.rate_limited");
  else if (status >= 500) summary = msg(catalogue, "error.server");
  else summary = msg(catalogue, "error.unknown", { status });
  // The API's detail says what to fix; a server error's detail is not for people.
  const message = detail && status < 500 && status !== 401 ? `${summary} ${detail}` : summary;
  return new ApiError(message, status, code, lines);
}

export class AssessmentApi {
  constructor(
    private readonly base: string,
    private readonly tokenProvider: TokenProvider | undefined,
    private readonly catalogue: Catalogue,
  ) {}

  private async get<T>(path: string, signal?: AbortSignal): Promise<T> {
    const token = this.tokenProvider ? await this.tokenProvider() : null;
    if (!token) throw new ApiError(msg(this.catalogue, "error.no_token"), 0, "no_token");
    let response: Response;
    try {
      response = await fetch(`${this.base.replace(/\/$/, "")}${path}`, {
        headers: { Authorization: `Bearer ${token}`, Accept: "application/json" },
        signal,
      });
    } catch (error) {
      if (signal?.aborted) throw error;
      throw new ApiError(msg(this.catalogue, "error.network"), 0, "network");
    }
    const body: unknown = await response.json().catch(() => null);
    if (!response.ok) throw errorFor(response.status, body, this.catalogue);
    return body as T;
  }

  async myTracks(signal?: AbortSignal): Promise<TrackSummary[]> {
    const list = await this.get<{ tracks: TrackSummary[] }>("/v1/me/tracks", signal);
    return list.tracks;
  }
}

// The two staff calls `Api` cannot make as it stands: a submission with its Idempotency-Key
// header, and the printable certificate as the service's own HTML page. Same token callback,
// same errors in words (`errorFor`).
import { ApiError, errorFor } from "../api.js";
import type { AcademyElement } from "../element.js";
import { msg } from "../messages.js";

async function send(host: AcademyElement, path: string, init: RequestInit & { headers: Record<string, string> }): Promise<Response> {
  const token = host.tokenProvider ? await host.tokenProvider() : null;
  if (!token) throw new ApiError(msg(host.catalogue, "error.no_token"), 0, "no_token");
  let response: Response;
  try {
    response = await fetch(`${(host.apiBase ?? "").replace(/\/$/, "")}${path}`, {
      ...init,
      headers: { ...init.headers, Authorization: `Bearer ${token}` },
    });
  } catch {
    throw new ApiError(msg(host.catalogue, "error.network"), 0, "network");
  }
  if (!response.ok) {
    const type = response.headers.get("content-type") ?? "";
    const body: unknown = type.includes("json") ? await response.json().catch(() => null) : null;
    throw errorFor(response.status, body, host.catalogue);
  }
  return response;
}

/** POST JSON with extra headers (e.g. `Idempotency-Key`); answers the JSON body. */
export async function postWithHeaders<T>(
  host: AcademyElement,
  path: string,
  body: unknown,
  headers: Record<string, string>,
): Promise<T> {
  const response = await send(host, path, {
    method: "POST",
    headers: { ...headers, Accept: "application/json", "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
  return (await response.json()) as T;
}

/** GET an HTML page that needs the bearer token (the printable certificate). */
export async function getPage(host: AcademyElement, path: string): Promise<string> {
  const response = await send(host, path, { method: "GET", headers: { Accept: "text/html" } });
  return response.text();
}

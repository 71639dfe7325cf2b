// <academy-my-tracks>: the signed-in staff member's tracks with status and progress.
import { LitElement, type PropertyValues, css, html, nothing } from "lit";
import { ApiError, AssessmentApi, type TokenProvider, type TrackSummary } from "./api.js";
import { type Catalogue, type MessageKey, catalogueFor, msg } from "./messages.js";
import { base } from "./styles.js";

type State =
  | { kind: "waiting" }
  | { kind: "loading" }
  | { kind: "ready"; tracks: TrackSummary[] }
  | { kind: "failed"; error: ApiError };

/** What a track's row says about it: the certificate first, then the training. */
export function trackStatus(track: TrackSummary): { key: MessageKey; date?: string } {
  const cert = track.certificate;
  if (cert?.status === "valid" || cert?.status === "not_yet_valid") {
    return { key: "status.certified", date: cert.expires_at };
  }
  if (cert?.status === "expired") return { key: "status.expired" };
  if (cert?.status === "revoked") return { key: "status.revoked" };
  if (track.progress.complete) return { key: "status.training_complete" };
  if (track.progress.lessons_completed > 0) return { key: "status.in_progress" };
  return { key: "status.not_started" };
}

export class AcademyMyTracks extends LitElement {
  static override properties = {
    apiBase: { type: String, attribute: "api-base" },
    tokenProvider: { attribute: false },
    state: { state: true },
  };

  static override styles = [
    base,
    css`
      ul {
        list-style: none;
        margin: 0;
        padding: 0;
        display: grid;
        gap: var(--academy-spacing, 0.75rem);
      }
      li {
        border: 1px solid var(--academy-color-border, #c9d1da);
        border-radius: var(--academy-radius, 6px);
        padding: var(--academy-spacing, 0.75rem);
      }
      .track {
        background: none;
        border: none;
        padding: 0;
        color: var(--academy-color-accent, #0b57d0);
        font-weight: 600;
        text-decoration: underline;
        text-align: start;
      }
      .meta {
        margin: 0.35em 0;
        color: var(--academy-color-muted, #4a5360);
      }
      progress {
        width: 100%;
        accent-color: var(--academy-color-accent, #0b57d0);
      }
    `,
  ];

  /** Where the assessment API is; empty means the page's own origin. */
  apiBase = "";
  /** Supplied by the host page: resolves to the signed-in user's bearer token. */
  tokenProvider: TokenProvider | undefined = undefined;
  protected state: State = { kind: "waiting" };
  private controller: AbortController | null = null;

  private get catalogue(): Catalogue {
    return catalogueFor(this.closest("[lang]")?.getAttribute("lang") ?? document.documentElement.lang);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.controller?.abort();
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if ((changed.has("tokenProvider") || changed.has("apiBase")) && this.tokenProvider) {
      void this.reload();
    }
  }

  /** Fetch the tracks again (the host may call it after something changed). */
  async reload(): Promise<void> {
    this.controller?.abort();
    const controller = new AbortController();
    this.controller = controller;
    this.state = { kind: "loading" };
    const api = new AssessmentApi(this.apiBase ?? "", this.tokenProvider, this.catalogue);
    try {
      const tracks = await api.myTracks(controller.signal);
      if (!controller.signal.aborted) this.state = { kind: "ready", tracks };
    } catch (error) {
      if (controller.signal.aborted) return;
      this.state = {
        kind: "failed",
        error:
          error instanceof ApiError
            ? error
            : new ApiError(msg(this.catalogue, "error.network"), 0, "network"),
      };
    }
  }

  private select(track: TrackSummary): void {
    this.dispatchEvent(
      new CustomEvent("academy-track-selected", {
        detail: { trackKey: track.track_key, title: track.title },
        bubbles: true,
        composed: true,
      }),
    );
  }

  private renderTrack(track: TrackSummary, index: number, c: Catalogue, lang: string) {
    const status = trackStatus(track);
    const date = status.date
      ? new Intl.DateTimeFormat(lang || "en", { dateStyle: "long", timeZone: "UTC" }).format(
          new Date(status.date),
        )
      : "";
    const p = track.progress;
    const id = `track-${index}`;
    return html`<li>
      <button
        type="button"
        class="track"
        aria-describedby="${id}-status ${id}-progress"
        @click=${() => this.select(track)}
      >${track.title}</button>
      <p class="meta" id="${id}-status">${msg(c, status.key, { date })}</p>
      <p class="meta" id="${id}-progress">
        ${msg(c, "myTracks.progress", {
          lessons: p.lessons_completed,
          total: p.lessons_total,
          percent: p.percent,
        })}
      </p>
      <progress
        max="100"
        .value=${p.percent}
        aria-label=${msg(c, "myTracks.progressLabel", { title: track.title })}
      ></progress>
    </li>`;
  }

  private renderBody(c: Catalogue) {
    const state = this.state;
    if (state.kind === "waiting" || state.kind === "loading") {
      return html`<div class="status" role="status">
        <span class="spinner" aria-hidden="true"></span>${msg(c, "loading")}
      </div>`;
    }
    if (state.kind === "failed") {
      return html`<div class="error" role="alert">
        <p>${state.error.message}</p>
        ${state.error.lines.length
          ? html`<ul>
              ${state.error.lines.map((line) => html`<li>${line}</li>`)}
            </ul>`
          : nothing}
        <button type="button" class="secondary" @click=${() => void this.reload()}>
          ${msg(c, "error.retry")}
        </button>
      </div>`;
    }
    if (state.tracks.length === 0) return html`<p class="empty">${msg(c, "myTracks.empty")}</p>`;
    const lang = this.closest("[lang]")?.getAttribute("lang") ?? "en";
    return html`<ul>
      ${state.tracks.map((track, index) => this.renderTrack(track, index, c, lang))}
    </ul>`;
  }

  override render() {
    const c = this.catalogue;
    const busy = this.state.kind === "loading" || this.state.kind === "waiting";
    return html`<section aria-labelledby="heading" aria-busy=${busy ? "true" : "false"}>
      <h2 id="heading">${msg(c, "myTracks.heading")}</h2>
      ${this.renderBody(c)}
    </section>`;
  }
}

if (!customElements.get("academy-my-tracks")) {
  customElements.define("academy-my-tracks", AcademyMyTracks);
}

declare global {
  interface HTMLElementTagNameMap {
    "academy-my-tracks": AcademyMyTracks;
  }
}

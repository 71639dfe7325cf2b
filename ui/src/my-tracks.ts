// <academy-my-tracks>: the signed-in staff member's tracks with status and progress.
import { css, html } from "lit";
import type { TrackSummary } from "./api.js";
import { AcademyElement, Loader, define, empty } from "./element.js";
import type { MessageKey } from "./messages.js";
import { VIEW_READY } from "./staff/shared.js";
import { base } from "./styles.js";

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

export class AcademyMyTracks extends AcademyElement {
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
        font-weight: 600;
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

  private readonly tracks = new Loader(this, (signal) =>
    this.api.get<{ tracks: TrackSummary[] }>("/v1/me/tracks", signal).then((list) => list.tracks),
  );

  /** Fetch the tracks again (the host may call it after something changed). */
  async reload(): Promise<void> {
    await this.tracks.run();
    if (this.tracks.state.kind !== "loading") this.emit(VIEW_READY, { view: "tracks" });
  }

  private select(track: TrackSummary): void {
    this.emit("academy-track-selected", { trackKey: track.track_key, title: track.title });
  }

  private renderTrack(track: TrackSummary, index: number) {
    const status = trackStatus(track);
    const p = track.progress;
    const id = `track-${index}`;
    return html`<li>
      <button
        type="button"
        class="link track"
        aria-describedby="${id}-status ${id}-progress"
        @click=${() => this.select(track)}
      >${track.title}</button>
      <p class="meta" id="${id}-status">${this.t(status.key, { date: this.formatDate(status.date) })}</p>
      <p class="meta" id="${id}-progress">
        ${this.t("myTracks.progress", {
          lessons: p.lessons_completed,
          total: p.lessons_total,
          percent: p.percent,
        })}
      </p>
      <progress
        max="100"
        .value=${p.percent}
        aria-label=${this.t("myTracks.progressLabel", { title: track.title })}
      ></progress>
    </li>`;
  }

  override render() {
    const busy = this.tracks.state.kind === "loading" || this.tracks.state.kind === "idle";
    return html`<section aria-labelledby="heading" aria-busy=${busy ? "true" : "false"}>
      <h2 id="heading">${this.t("myTracks.heading")}</h2>
      ${this.tracks.render((tracks) =>
        tracks.length === 0
          ? empty(this.t("myTracks.empty"))
          : html`<ul>
              ${tracks.map((track, index) => this.renderTrack(track, index))}
            </ul>`,
      )}
    </section>`;
  }
}

define("academy-my-tracks", AcademyMyTracks);

declare global {
  interface HTMLElementTagNameMap {
    "academy-my-tracks": AcademyMyTracks;
  }
}

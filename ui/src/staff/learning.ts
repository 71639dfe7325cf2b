// <academy-learning>: the portal's Certification tab for staff in one element: my tracks (with my
// certificates beneath) → a track → a lesson or the exam → back, focus on each new view's heading;
// the view is kept for the browser tab (sessionStorage), so a reload mid-exam returns to the exam.
import { css, html } from "lit";
import { AcademyElement, define } from "../element.js";
import "../my-tracks.js";
import { base } from "../styles.js";
import "./exam.js";
import "./lesson.js";
import "./my-certificates.js";
import { focusHeading, screen } from "./shared.js";
import "./track.js";

export type LearningView =
  | { kind: "home" }
  | { kind: "track"; trackKey: string }
  | { kind: "lesson"; trackKey: string; moduleId: string; lessonId: string }
  | { kind: "exam"; trackKey: string };

type Detail = Record<string, unknown>;
const text = (detail: Detail, key: string): string => (typeof detail[key] === "string" ? (detail[key] as string) : "");

/** The view an event of the screens leads to, or null when it changes none. */
export function nextView(current: LearningView, name: string, detail: Detail): LearningView | null {
  const trackKey = text(detail, "trackKey");
  if (!trackKey && name !== "back") return null;
  switch (name) {
    case "academy-track-selected":
      return { kind: "track", trackKey };
    case "academy-lesson-selected":
      return { kind: "lesson", trackKey, moduleId: text(detail, "moduleId"), lessonId: text(detail, "lessonId") };
    case "academy-exam-requested":
      return { kind: "exam", trackKey };
    case "back":
      return current.kind === "lesson" || current.kind === "exam"
        ? { kind: "track", trackKey: current.trackKey }
        : { kind: "home" };
    default:
      return null;
  }
}

/** Where the composite keeps its view for this tab, so a reload (mid-exam) comes back to it. */
export const VIEW_KEY = "academy-ui:learning:view";

/** A view read back from storage, or home when there is none or it does not parse. */
export function restoredView(raw: string | null): LearningView {
  let data: unknown = null;
  try {
    data = raw ? JSON.parse(raw) : null;
  } catch {
    data = null;
  }
  const view = (typeof data === "object" && data !== null ? data : {}) as Detail;
  const trackKey = text(view, "trackKey");
  if (!trackKey) return { kind: "home" };
  if (view.kind === "track" || view.kind === "exam") return { kind: view.kind, trackKey };
  if (view.kind === "lesson" && text(view, "lessonId")) {
    return { kind: "lesson", trackKey, moduleId: text(view, "moduleId"), lessonId: text(view, "lessonId") };
  }
  return { kind: "home" };
}

function session(): Storage | null {
  try {
    return window.sessionStorage;
  } catch {
    return null;
  }
}

export class AcademyLearning extends AcademyElement {
  static override properties = {
    ...AcademyElement.properties,
    view: { state: true },
  };

  static override styles = [
    base,
    screen,
    css`
      .back {
        margin-bottom: var(--academy-spacing, 0.75rem);
      }
      .home {
        display: grid;
        gap: calc(2 * var(--academy-spacing, 0.75rem));
      }
    `,
  ];

  protected view: LearningView = restoredView(session()?.getItem(VIEW_KEY) ?? null);
  /** Set when the view changed: its heading takes focus once the new screen has loaded. */
  private focusPending = false;

  /** The screens load themselves when they get the token; the host may ask for a refresh. */
  protected override reloadOn(): string[] {
    return [];
  }

  reload(): void {
    for (const screen of this.renderRoot.querySelectorAll<AcademyElement>("*")) {
      if (screen instanceof AcademyElement) void screen.reload();
    }
  }

  /** Show a view (the host may also drive the composite, e.g. from its own router). */
  show(view: LearningView): void {
    this.view = view;
    this.focusPending = true;
    this.keep();
  }

  private keep(): void {
    try {
      session()?.setItem(VIEW_KEY, JSON.stringify(this.view));
    } catch {
      // Without storage a reload starts from my tracks.
    }
  }

  private follow(event: Event): void {
    const detail = ((event as CustomEvent).detail ?? {}) as Detail;
    const next = nextView(this.view, event.type, detail);
    if (next) this.show(next);
  }

  private keepLesson(event: Event): void {
    const detail = ((event as CustomEvent).detail ?? {}) as Detail;
    if (this.view.kind === "lesson") {
      this.view = { ...this.view, moduleId: text(detail, "moduleId"), lessonId: text(detail, "lessonId") };
      this.keep();
    }
  }

  private ready(event: Event): void {
    if (!this.focusPending) return;
    this.focusPending = false;
    focusHeading(event.currentTarget as Element);
  }

  private back() {
    const label = this.view.kind === "track" ? this.t("learning.backToTracks") : this.t("learning.backToTrack");
    return html`<button type="button" class="secondary back" @click=${() => this.follow(new CustomEvent("back"))}>
      <span aria-hidden="true">← </span>${label}
    </button>`;
  }

  private screen() {
    const view = this.view;
    const follow = (event: Event) => this.follow(event);
    const ready = (event: Event) => this.ready(event);
    switch (view.kind) {
      case "home":
        return html`<div class="home">
          <academy-my-tracks
            .apiBase=${this.apiBase}
            .releaseApiBase=${this.releaseApiBase}
            .tokenProvider=${this.tokenProvider}
            @academy-track-selected=${follow}
            @academy-view-ready=${ready}
          ></academy-my-tracks>
          <academy-my-certificates
            .apiBase=${this.apiBase}
            .releaseApiBase=${this.releaseApiBase}
            .tokenProvider=${this.tokenProvider}
          ></academy-my-certificates>
        </div>`;
      case "track":
        return html`${this.back()}
          <academy-track
            .apiBase=${this.apiBase}
            .releaseApiBase=${this.releaseApiBase}
            .tokenProvider=${this.tokenProvider}
            .trackKey=${view.trackKey}
            @academy-lesson-selected=${follow}
            @academy-exam-requested=${follow}
            @academy-view-ready=${ready}
          ></academy-track>`;
      case "lesson":
        return html`${this.back()}
          <academy-lesson
            .apiBase=${this.apiBase}
            .releaseApiBase=${this.releaseApiBase}
            .tokenProvider=${this.tokenProvider}
            .trackKey=${view.trackKey}
            .moduleId=${view.moduleId}
            .lessonId=${view.lessonId}
            @academy-lesson-opened=${(event: Event) => this.keepLesson(event)}
            @academy-view-ready=${ready}
          ></academy-lesson>`;
      case "exam":
        return html`${this.back()}
          <academy-exam
            .apiBase=${this.apiBase}
            .releaseApiBase=${this.releaseApiBase}
            .tokenProvider=${this.tokenProvider}
            .trackKey=${view.trackKey}
            @academy-view-ready=${ready}
          ></academy-exam>`;
    }
  }

  override render() {
    return this.screen();
  }
}

define("academy-learning", AcademyLearning);

declare global {
  interface HTMLElementTagNameMap {
    "academy-learning": AcademyLearning;
  }
}

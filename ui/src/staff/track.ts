// <academy-track track-key="…">: one track's modules and lessons with what the learner completed,
// whether the exam may start, the button to start or continue it, and the certificate's status.
import { css, html, nothing } from "lit";
import { seg } from "../api.js";
import { AcademyElement, Loader, define, empty } from "../element.js";
import { trackStatus } from "../my-tracks.js";
import { base } from "../styles.js";
import { missingModules } from "./exam-logic.js";
import { VIEW_READY, screen } from "./shared.js";
import type { AttemptSummary, LessonBrief, ModuleDetail, TrackDetail } from "./types.js";

interface TrackView {
  track: TrackDetail;
  open: AttemptSummary | null;
}

export class AcademyTrack extends AcademyElement {
  static override properties = {
    ...AcademyElement.properties,
    trackKey: { type: String, attribute: "track-key" },
  };

  static override styles = [
    base,
    screen,
    css`
      section.module {
        border: 1px solid var(--academy-color-border, #c9d1da);
        border-radius: var(--academy-radius, 6px);
        padding: 0 var(--academy-spacing, 0.75rem) var(--academy-spacing, 0.75rem);
        margin-top: var(--academy-spacing, 0.75rem);
      }
      ol.lessons {
        margin: 0;
        padding-inline-start: 1.5em;
        display: grid;
        gap: 0.4em;
      }
      .state {
        margin-inline-start: 0.5em;
        color: var(--academy-color-muted, #4a5360);
      }
      .state.done {
        color: var(--academy-color-success, #146c2e);
      }
      progress {
        width: 100%;
        accent-color: var(--academy-color-accent, #0b57d0);
      }
    `,
  ];

  /** The track to show, e.g. "MGA.compliance_officer". */
  trackKey = "";

  private readonly view = new Loader<TrackView>(this, async (signal) => {
    const key = seg(this.trackKey);
    const [track, attempts] = await Promise.all([
      this.api.get<TrackDetail>(`/v1/me/tracks/${key}`, signal),
      this.api.get<{ attempts: AttemptSummary[] }>(`/v1/me/attempts?track_key=${key}`, signal),
    ]);
    return { track, open: attempts.attempts.find((a) => a.status === "open") ?? null };
  });

  protected override reloadOn(): string[] {
    return [...super.reloadOn(), "trackKey"];
  }

  async reload(): Promise<void> {
    if (!this.trackKey) return;
    await this.view.run();
    if (this.view.state.kind !== "loading") this.emit(VIEW_READY, { view: "track", trackKey: this.trackKey });
  }

  private selectLesson(module: ModuleDetail, lesson: LessonBrief): void {
    this.emit("academy-lesson-selected", {
      trackKey: this.trackKey,
      moduleId: module.id,
      lessonId: lesson.id,
    });
  }

  private renderModule(module: ModuleDetail, index: number) {
    const done = module.lessons.filter((l) => l.completed).length;
    const id = `module-${index}`;
    return html`<section class="module" aria-labelledby="${id}">
      <h3 id="${id}">${this.t("track.module", { number: index + 1, title: module.title })}</h3>
      <p class="meta ${module.completed ? "done" : ""}">
        ${module.completed
          ? this.t("track.moduleDone")
          : this.t("track.moduleProgress", { done, total: module.lessons.length })}
      </p>
      ${module.lessons.length === 0
        ? empty(this.t("track.noLessons"))
        : html`<ol class="lessons">
            ${module.lessons.map(
              (lesson, n) => html`<li>
                <button
                  type="button"
                  class="link"
                  aria-describedby="${id}-lesson-${n}"
                  @click=${() => this.selectLesson(module, lesson)}
                >${lesson.title}</button><span
                  class="state ${lesson.completed ? "done" : ""}"
                  id="${id}-lesson-${n}"
                  ><span aria-hidden="true">${lesson.completed ? "✓ " : ""}</span>${lesson.completed
                    ? this.t("track.lessonDone")
                    : this.t("track.lessonTodo")}</span
                >
              </li>`,
            )}
          </ol>`}
    </section>`;
  }

  private renderExam({ track, open }: TrackView) {
    const policy = track.exam;
    const missing = missingModules(track);
    return html`<section aria-labelledby="exam-heading">
      <h3 id="exam-heading">${this.t("track.exam")}</h3>
      <p class="meta">
        ${this.t("track.examPolicy", {
          questions: policy.question_count,
          minutes: policy.time_limit_minutes,
          passMark: policy.pass_mark,
          attempts: policy.attempt_limit,
        })}
      </p>
      ${open
        ? html`<p>${this.t("track.examOpen", { time: this.formatDateTime(open.deadline) })}</p>`
        : missing.length === 0
          ? html`<p class="ok">${this.t("track.examReady")}</p>`
          : html`<p id="missing-heading">${this.t("track.examMissing")}</p>
              <ul aria-labelledby="missing-heading">
                ${missing.map((m) => html`<li>${m.title}</li>`)}
              </ul>`}
      <div class="actions">
        <button
          type="button"
          class="primary"
          @click=${() => this.emit("academy-exam-requested", { trackKey: this.trackKey })}
        >
          ${open ? this.t("track.examContinue") : this.t("track.examStart")}
        </button>
      </div>
    </section>`;
  }

  private renderCertificate(track: TrackDetail) {
    const cert = track.certificate;
    let text: string;
    if (!cert) text = this.t("track.certNone");
    else if (cert.status === "valid" || cert.status === "not_yet_valid") {
      text = this.t("track.certValid", {
        date: this.formatDate(cert.expires_at),
        window: this.formatDate(cert.recert_window_opens_at),
      });
    } else if (cert.status === "expired") text = this.t("track.certExpired", { date: this.formatDate(cert.expires_at) });
    else if (cert.status === "revoked") text = this.t("track.certRevoked");
    else text = this.t("track.certSuperseded");
    return html`<section aria-labelledby="cert-heading">
      <h3 id="cert-heading">${this.t("track.certificate")}</h3>
      <p class=${cert?.status === "valid" ? "ok" : ""}>${text}</p>
    </section>`;
  }

  private renderTrack(view: TrackView) {
    const { track } = view;
    const status = trackStatus(track);
    const p = track.progress;
    return html`<p class="meta" id="track-status">${this.t(status.key, { date: this.formatDate(status.date) })}</p>
      <p class="meta">
        ${this.t("myTracks.progress", { lessons: p.lessons_completed, total: p.lessons_total, percent: p.percent })}
      </p>
      <progress max="100" .value=${p.percent} aria-label=${this.t("myTracks.progressLabel", { title: track.title })}></progress>
      <section aria-labelledby="modules-heading">
        <h3 id="modules-heading">${this.t("track.modules")}</h3>
        ${track.modules.length === 0
          ? empty(this.t("track.noModules"))
          : track.modules.map((m, i) => this.renderModule(m, i))}
      </section>
      ${this.renderExam(view)} ${this.renderCertificate(track)}`;
  }

  override render() {
    const busy = this.view.state.kind === "loading" || this.view.state.kind === "idle";
    const title = this.view.value?.track.title;
    return html`<section aria-labelledby="heading" aria-busy=${busy ? "true" : "false"}>
      <h2 id="heading">${title ?? this.t("track.heading")}</h2>
      ${this.trackKey ? this.view.render((view) => this.renderTrack(view)) : nothing}
    </section>`;
  }
}

define("academy-track", AcademyTrack);

declare global {
  interface HTMLElementTagNameMap {
    "academy-track": AcademyTrack;
  }
}

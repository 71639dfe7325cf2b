// <academy-lesson track-key module-id lesson-id>: the lesson reader, with "Mark as complete" and
// the previous and next lessons of the track (across modules).
import { css, html, nothing } from "lit";
import { unsafeHTML } from "lit/directives/unsafe-html.js";
import { seg } from "../api.js";
import { AcademyElement, Action, Loader, define } from "../element.js";
import { base } from "../styles.js";
import { VIEW_READY, focusHeading, screen } from "./shared.js";
import type { Completion, LessonDetail } from "./types.js";

export class AcademyLesson extends AcademyElement {
  static override properties = {
    ...AcademyElement.properties,
    trackKey: { type: String, attribute: "track-key" },
    moduleId: { type: String, attribute: "module-id" },
    lessonId: { type: String, attribute: "lesson-id" },
    announcement: { state: true },
  };

  static override styles = [
    base,
    screen,
    css`
      .content {
        line-height: 1.55;
        max-width: 46rem;
        overflow-wrap: anywhere;
      }
      .content h1 {
        font-size: 1.15em;
      }
      .content h2,
      .content h3 {
        font-size: 1.05em;
      }
      .content img {
        max-width: 100%;
      }
      .content pre {
        overflow-x: auto;
      }
      .completion {
        border-top: 1px solid var(--academy-color-border, #c9d1da);
        margin-top: var(--academy-spacing, 0.75rem);
        padding-top: var(--academy-spacing, 0.75rem);
      }
      nav .actions {
        justify-content: space-between;
      }
    `,
  ];

  trackKey = "";
  /** Informational: the lesson's own answer says which module it belongs to. */
  moduleId = "";
  lessonId = "";
  protected announcement = "";
  private focusOnLoad = false;

  private readonly lesson = new Loader<LessonDetail>(this, (signal) =>
    this.api.get<LessonDetail>(`/v1/me/tracks/${seg(this.trackKey)}/lessons/${seg(this.lessonId)}`, signal),
  );

  private readonly completing = new Action(this);

  protected override reloadOn(): string[] {
    return [...super.reloadOn(), "trackKey", "lessonId"];
  }

  async reload(): Promise<void> {
    if (!this.trackKey || !this.lessonId) return;
    this.announcement = "";
    await this.lesson.run();
    if (this.lesson.state.kind === "loading") return;
    const lesson = this.lesson.value;
    if (lesson) {
      this.moduleId = lesson.module_id;
      this.emit("academy-lesson-opened", {
        trackKey: this.trackKey,
        moduleId: lesson.module_id,
        lessonId: lesson.lesson_id,
      });
    }
    this.emit(VIEW_READY, { view: "lesson", trackKey: this.trackKey, lessonId: this.lessonId });
    if (this.focusOnLoad) {
      this.focusOnLoad = false;
      await this.updateComplete;
      focusHeading(this);
    }
  }

  /** Open another lesson of the track here, its heading focused once it is shown. */
  private go(lessonId: string): void {
    this.focusOnLoad = true;
    this.lessonId = lessonId;
  }

  private async complete(lesson: LessonDetail): Promise<void> {
    const path =
      `/v1/me/tracks/${seg(lesson.track_key)}/modules/${seg(lesson.module_id)}` +
      `/lessons/${seg(lesson.lesson_id)}/completion`;
    const done = await this.completing.run(() => this.api.put<Completion>(path));
    if (!done) return;
    lesson.completed = true;
    this.announcement = this.t("lesson.completed");
    this.emit("academy-lesson-completed", {
      trackKey: lesson.track_key,
      moduleId: lesson.module_id,
      lessonId: lesson.lesson_id,
      moduleCompleted: done.module_completed,
      progress: done.progress,
    });
    await this.updateComplete;
    // The button is gone: focus moves on to the next lesson, or stays on the completion note.
    const next = this.renderRoot.querySelector<HTMLElement>("button[data-next]");
    (next ?? this.renderRoot.querySelector<HTMLElement>("#completed"))?.focus();
  }

  private renderLesson(lesson: LessonDetail) {
    return html`<p class="meta">${this.t("lesson.module", { title: lesson.module_title })}</p>
      <div class="content" role="region" aria-label=${this.t("lesson.text")}>${unsafeHTML(lesson.html)}</div>
      <div class="completion">
        ${lesson.completed
          ? html`<p class="ok" id="completed" tabindex="-1">
              <span aria-hidden="true">✓ </span>${this.t("lesson.completed")}
            </p>`
          : html`<button type="button" class="primary" @click=${() => this.complete(lesson)}>
              ${this.t("lesson.complete")}
            </button>`}
        ${this.completing.render(this.t("lesson.completing"))}
      </div>
      <nav aria-label=${this.t("lesson.navigation")}>
        <div class="actions">
          ${lesson.previous_lesson_id
            ? html`<button type="button" class="secondary" @click=${() => this.go(lesson.previous_lesson_id!)}>
                <span aria-hidden="true">← </span>${this.t("lesson.previous")}
              </button>`
            : html`<span></span>`}
          ${lesson.next_lesson_id
            ? html`<button
                type="button"
                class="secondary"
                data-next
                @click=${() => this.go(lesson.next_lesson_id!)}
              >
                ${this.t("lesson.next")}<span aria-hidden="true"> →</span>
              </button>`
            : nothing}
        </div>
      </nav>`;
  }

  override render() {
    const busy = this.lesson.state.kind === "loading" || this.lesson.state.kind === "idle";
    const lesson = this.lesson.value;
    return html`<article aria-labelledby="heading" aria-busy=${busy ? "true" : "false"}>
      <h2 id="heading">${lesson?.title ?? this.t("lesson.heading")}</h2>
      ${this.lessonId ? this.lesson.render((value) => this.renderLesson(value)) : nothing}
      <div role="status" class="visually-hidden">${this.announcement}</div>
    </article>`;
  }
}

define("academy-lesson", AcademyLesson);

declare global {
  interface HTMLElementTagNameMap {
    "academy-lesson": AcademyLesson;
  }
}

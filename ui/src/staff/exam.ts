// <academy-exam track-key="…">: begin an attempt or resume the open one, answer (kept in this
// browser as you go), watch the countdown, submit after a confirmation, read the result.
import { html, nothing } from "lit";
import { seg } from "../api.js";
import "../confirm.js";
import { AcademyElement, Action, Loader, define, failure } from "../element.js";
import { base } from "../styles.js";
import { examStyles, renderQuestion } from "./exam-paper.js";
import { renderRefusal, renderResult } from "./exam-result.js";
import {
  type Refusal,
  answeredCount,
  attemptsLeft,
  choose,
  forget,
  loadSaved,
  newIdempotencyKey,
  save,
  startRefusal,
  storageKey,
} from "./exam-logic.js";
import { VIEW_READY, focusHeading, screen } from "./shared.js";
import { announcementDue, clockOffset, formatCountdown, remainingMs } from "./time.js";
import type { Answers, AttemptDetail, AttemptOutcome, AttemptSummary, PaperQuestion, TrackDetail } from "./types.js";

interface ExamSetting {
  track: TrackDetail;
  attempts: AttemptSummary[];
  /** The open attempt to resume, or a closed one this browser still held answers for. */
  detail: AttemptDetail | null;
}

/** The browser's storage, or null where it is disabled (some private modes throw). */
function storage(): Storage | null {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}

export class AcademyExam extends AcademyElement {
  static override properties = {
    ...AcademyElement.properties,
    trackKey: { type: String, attribute: "track-key" },
    attempt: { state: true },
    answers: { state: true },
    outcome: { state: true },
    refusal: { state: true },
    now: { state: true },
    announcement: { state: true },
  };

  static override styles = [
    base,
    screen,
    examStyles,
  ];

  trackKey = "";
  protected attempt: AttemptDetail | null = null;
  protected answers: Answers = {};
  protected outcome: AttemptOutcome | null = null;
  protected refusal: Refusal | null = null;
  protected now = Date.now();
  protected announcement = "";
  private offsetMs = 0;
  private kept = true;
  private attemptsAfter: AttemptSummary[] | null = null;
  private idempotencyKey: string | null = null;
  private timer: ReturnType<typeof setInterval> | null = null;

  private readonly setting = new Loader<ExamSetting>(this, async (signal) => {
    const key = seg(this.trackKey);
    const [track, list] = await Promise.all([
      this.api.get<TrackDetail>(`/v1/me/tracks/${key}`, signal),
      this.api.get<{ attempts: AttemptSummary[] }>(`/v1/me/attempts?track_key=${key}`, signal),
    ]);
    const newest = list.attempts[0];
    const open = list.attempts.find((a) => a.status === "open");
    // A closed attempt whose answers are still here ran out of time before this browser submitted.
    const unseen = newest && newest.status !== "open" && storage()?.getItem(storageKey(newest.attempt_id));
    const wanted = open ?? (unseen ? newest : undefined);
    const detail = wanted
      ? await this.api.get<AttemptDetail>(`/v1/me/attempts/${seg(wanted.attempt_id)}`, signal)
      : null;
    return { track, attempts: list.attempts, detail };
  });

  private readonly starting = new Action(this);
  private readonly submitting = new Action(this);

  protected override reloadOn(): string[] {
    return [...super.reloadOn(), "trackKey"];
  }

  async reload(): Promise<void> {
    if (!this.trackKey) return;
    this.attempt = null;
    this.outcome = null;
    this.refusal = null;
    this.answers = {};
    this.attemptsAfter = null;
    this.starting.error = null;
    this.submitting.error = null;
    await this.setting.run();
    if (this.setting.state.kind === "loading") return;
    const detail = this.setting.value?.detail ?? null;
    if (detail?.status === "open" && detail.paper) this.resume(detail);
    else if (detail?.outcome) this.closed(detail.outcome, this.setting.value?.attempts ?? null);
    this.emit(VIEW_READY, { view: "exam", trackKey: this.trackKey });
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.stopClock();
  }

  /** Show an open attempt with the answers this browser kept for it. */
  private resume(detail: AttemptDetail, offsetMs?: number): void {
    const saved = loadSaved(storage(), detail.attempt_id, detail.paper?.questions ?? []);
    this.attempt = detail;
    this.answers = saved?.answers ?? {};
    this.offsetMs = offsetMs ?? saved?.offsetMs ?? 0;
    this.kept = save(storage(), detail.attempt_id, { answers: this.answers, offsetMs: this.offsetMs });
    this.idempotencyKey = null;
    this.now = Date.now();
    this.startClock();
  }

  private closed(outcome: AttemptOutcome, attempts: AttemptSummary[] | null): void {
    this.stopClock();
    forget(storage(), outcome.attempt_id);
    this.attempt = null;
    this.outcome = outcome;
    this.attemptsAfter = attempts;
  }

  private startClock(): void {
    this.stopClock();
    this.timer = setInterval(() => this.tick(), 1000);
  }

  private stopClock(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }

  private remaining(at: number): number {
    const attempt = this.attempt;
    return attempt ? remainingMs(attempt.deadline, at, this.offsetMs, attempt.time_limit_minutes) : 0;
  }

  private tick(): void {
    const before = this.remaining(this.now);
    this.now = Date.now();
    const due = announcementDue(before, this.remaining(this.now));
    // At zero the visible alert says that time is up; the status region says the minutes left.
    if (due === null || due === 0) return;
    if (due === 1) this.announcement = this.t("exam.announce.minute");
    else this.announcement = this.t("exam.announce.minutes", { minutes: due });
  }

  private async focusView(): Promise<void> {
    await this.updateComplete;
    focusHeading(this);
  }

  private async begin(): Promise<void> {
    this.refusal = null;
    const started = await this.starting.run(() =>
      this.api.post<AttemptDetail>(`/v1/me/tracks/${seg(this.trackKey)}/attempts`),
    );
    if (started) {
      this.resume(started, clockOffset(started.started_at, Date.now()));
      await this.focusView();
      return;
    }
    const error = this.starting.error;
    if (error?.code === "attempt_already_open") {
      await this.reload();
      await this.focusView();
      return;
    }
    this.refusal = error ? startRefusal(error) : null;
  }

  private choose(question: PaperQuestion, optionId: string, checked: boolean): void {
    const attempt = this.attempt;
    if (!attempt) return;
    this.answers = choose(this.answers, question, optionId, checked);
    this.idempotencyKey = null;
    this.kept = save(storage(), attempt.attempt_id, { answers: this.answers, offsetMs: this.offsetMs });
  }

  /** Enter chooses the focused option too (Space and the arrow keys do so natively). */
  private onOptionKey(event: KeyboardEvent, question: PaperQuestion, optionId: string): void {
    if (event.key !== "Enter") return;
    event.preventDefault();
    const input = event.currentTarget as HTMLInputElement;
    const checked = question.kind === "single" ? true : !input.checked;
    input.checked = checked;
    this.choose(question, optionId, checked);
  }

  private async submit(): Promise<void> {
    const attempt = this.attempt;
    const questions = attempt?.paper?.questions ?? [];
    if (!attempt) return;
    const confirm = this.renderRoot.querySelector("academy-confirm");
    const answered = answeredCount(this.answers, questions);
    const agreed = await confirm?.ask({
      heading: this.t("exam.confirmHeading"),
      body: this.t("exam.confirmBody", { answered, total: questions.length }),
      confirmLabel: this.t("exam.submit"),
    });
    if (agreed === null || agreed === undefined) return;
    this.idempotencyKey ??= newIdempotencyKey();
    const key = this.idempotencyKey;
    const answers = this.answers;
    const outcome = await this.submitting.run(() =>
      this.api.post<AttemptOutcome>(
        `/v1/me/attempts/${seg(attempt.attempt_id)}/submission`,
        { answers },
        undefined,
        { "Idempotency-Key": key },
      ),
    );
    if (outcome) return this.showOutcome(outcome);
    const code = this.submitting.error?.code;
    if (code === "submission_after_deadline" || code === "attempt_not_open") {
      // Closed meanwhile (timed out, or submitted elsewhere): show what the academy recorded.
      const closed = await this.api.get<AttemptDetail>(`/v1/me/attempts/${seg(attempt.attempt_id)}`).catch(() => null);
      if (closed?.outcome) await this.showOutcome(closed.outcome);
    }
  }

  private async showOutcome(outcome: AttemptOutcome): Promise<void> {
    const list = await this.api
      .get<{ attempts: AttemptSummary[] }>(`/v1/me/attempts?track_key=${seg(this.trackKey)}`)
      .catch(() => null);
    this.closed(outcome, list?.attempts ?? null);
    this.emit("academy-exam-submitted", {
      trackKey: this.trackKey,
      attemptId: outcome.attempt_id,
      result: outcome.result,
    });
    await this.focusView();
  }

  private renderIntro(setting: ExamSetting) {
    const policy = setting.track.exam;
    const left = attemptsLeft(setting.attempts, policy.attempt_limit);
    return html`<p>
        ${this.t("exam.intro", {
          questions: policy.question_count,
          minutes: policy.time_limit_minutes,
          passMark: policy.pass_mark,
        })}
      </p>
      <p class="meta">${this.t("exam.beginHint")}</p>
      <p class="meta">${this.t("exam.attemptsLeft", { count: left, limit: policy.attempt_limit })}</p>
      <div class="actions">
        <button type="button" class="primary" @click=${() => this.begin()}>${this.t("exam.begin")}</button>
      </div>
      ${this.refusal
        ? renderRefusal(this, this.refusal)
        : this.starting.render(this.t("exam.starting"))}`;
  }

  private renderAttempt(attempt: AttemptDetail) {
    const questions = attempt.paper?.questions ?? [];
    const left = this.remaining(this.now);
    return html`<div class="clock ${left <= 5 * 60_000 ? "low" : ""}">
        <span id="time-left">${this.t("exam.timeLeft")}</span>
        <span role="timer" aria-labelledby="time-left">${formatCountdown(left)}</span>
        <span class="meta">${this.t("exam.deadline", { time: this.formatDateTime(attempt.deadline) })}</span>
      </div>
      ${left === 0 ? html`<p class="error" role="alert">${this.t("exam.timeUp")}</p>` : nothing}
      <p class="meta">
        ${this.t("exam.attempt", { number: attempt.attempt_number })} ·
        ${this.kept ? this.t("exam.savedHere") : html`<strong>${this.t("exam.notSaved")}</strong>`}
      </p>
      <section aria-label=${this.t("exam.questions")}>
        ${questions.map((question, index) =>
          renderQuestion(this, question, index, questions.length, this.answers[question.id] ?? [], {
            choose: (optionId, checked) => this.choose(question, optionId, checked),
            key: (event, optionId) => this.onOptionKey(event, question, optionId),
          }),
        )}
      </section>
      <p class="meta" id="answered">
        ${this.t("exam.answered", { answered: answeredCount(this.answers, questions), total: questions.length })}
      </p>
      <div class="actions">
        <button type="button" class="primary" aria-describedby="answered" @click=${() => this.submit()}>
          ${this.t("exam.submit")}
        </button>
      </div>
      ${this.submitting.render(this.t("exam.submitting"))}`;
  }

  private renderBody(setting: ExamSetting) {
    if (this.outcome) {
      return html`${this.submitting.error ? failure(this, this.submitting.error) : nothing}
      ${renderResult(this, this.outcome, setting.track.exam, this.attemptsAfter)}`;
    }
    if (this.attempt) return this.renderAttempt(this.attempt);
    return this.renderIntro(setting);
  }

  override render() {
    const busy = this.setting.state.kind === "loading" || this.setting.state.kind === "idle";
    const title = this.setting.value?.track.title;
    const heading = this.outcome
      ? this.t("exam.result.heading")
      : title
        ? this.t("exam.headingOf", { title })
        : this.t("exam.heading");
    return html`<section aria-labelledby="heading" aria-busy=${busy ? "true" : "false"}>
        <h2 id="heading">${heading}</h2>
        ${this.trackKey ? this.setting.render((setting) => this.renderBody(setting)) : nothing}
        <div role="status" class="visually-hidden">${this.announcement}</div>
      </section>
      <academy-confirm></academy-confirm>`;
  }
}

define("academy-exam", AcademyExam);

declare global {
  interface HTMLElementTagNameMap {
    "academy-exam": AcademyExam;
  }
}

// What <academy-exam> shows once an attempt closed (the feedback the jurisdiction allows, the
// cooldown and the attempts left) and when a start is refused (in words, with the time).
import { html, nothing } from "lit";
import type { AcademyElement } from "../element.js";
import { type Refusal, attemptsLeft } from "./exam-logic.js";
import { cooldownEndsAt } from "./time.js";
import type { AttemptOutcome, AttemptSummary, ExamPolicy } from "./types.js";

export function renderRefusal(host: AcademyElement, refusal: Refusal) {
  return html`<div class="error" role="alert">
    <p>${host.t(refusal.key, { time: host.formatDateTime(refusal.retryAt) })}</p>
    ${refusal.modules?.length
      ? html`<ul>
          ${refusal.modules.map((m) => html`<li>${m.title}</li>`)}
        </ul>`
      : nothing}
  </div>`;
}

function renderNextAttempt(
  host: AcademyElement,
  outcome: AttemptOutcome,
  policy: ExamPolicy,
  attempts: AttemptSummary[] | null,
) {
  if (outcome.result === "pass" || attempts === null) return nothing;
  const left = attemptsLeft(attempts, policy.attempt_limit);
  if (left === 0) return html`<p>${host.t("exam.result.noAttemptsLeft")}</p>`;
  return html`${policy.cooldown_hours > 0
      ? html`<p>
          ${host.t("exam.result.cooldown", {
            time: host.formatDateTime(cooldownEndsAt(outcome.submitted_at, policy.cooldown_hours)),
          })}
        </p>`
      : nothing}
    <p>${host.t("exam.result.attemptsLeft", { count: left })}</p>`;
}

export function renderResult(
  host: AcademyElement,
  outcome: AttemptOutcome,
  policy: ExamPolicy,
  attempts: AttemptSummary[] | null,
) {
  const passed = outcome.result === "pass";
  const wrong = outcome.wrong_answers ?? [];
  return html`<p class=${passed ? "ok" : ""}>
      <strong>${host.t(passed ? "exam.result.pass" : "exam.result.fail")}</strong>
    </p>
    ${outcome.status === "timed_out" ? html`<p>${host.t("exam.result.timedOut")}</p>` : nothing}
    ${outcome.score !== null && outcome.pass_mark !== null
      ? html`<p>${host.t("exam.result.score", { score: outcome.score, passMark: outcome.pass_mark })}</p>`
      : html`<p class="meta">${host.t("exam.result.noScore")}</p>`}
    ${wrong.length
      ? html`<h3 id="wrong-heading">${host.t("exam.result.wrong")}</h3>
          <ol aria-labelledby="wrong-heading">
            ${wrong.map(
              (w) => html`<li>
                <p>${w.question_text}</p>
                <p class="meta">${w.explanation}</p>
              </li>`,
            )}
          </ol>`
      : nothing}
    ${outcome.certificate
      ? html`<p class="ok">
          ${host.t("exam.result.certificate", {
            date: host.formatDate(outcome.certificate.expires_at),
            code: outcome.certificate.verification_code,
          })}
        </p>`
      : nothing}
    ${renderNextAttempt(host, outcome, policy, attempts)}`;
}

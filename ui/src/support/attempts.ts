// The attempts of one delivery as a table: when, the portal's answer, what came of it, the error.
import { type TemplateResult, html } from "lit";
import { type AcademyElement, empty } from "../element.js";
import { say } from "./form.js";
import { type DeliveryDetail, attemptAnswer, attemptOutcome } from "./model.js";

/** Every attempt of `detail`, oldest first; the empty state before the first. */
export function attemptsTable(host: AcademyElement, detail: DeliveryDetail): TemplateResult {
  if (detail.attempts.length === 0) return empty(host.t("support.attempts.empty"));
  return html`<table>
    <caption>
      ${host.t("support.attempts.caption", { id: detail.webhook_id })}
    </caption>
    <thead>
      <tr>
        <th scope="col">${host.t("support.attempts.number")}</th>
        <th scope="col">${host.t("support.attempts.started")}</th>
        <th scope="col">${host.t("support.attempts.answer")}</th>
        <th scope="col">${host.t("support.attempts.outcome")}</th>
        <th scope="col">${host.t("support.attempts.error")}</th>
      </tr>
    </thead>
    <tbody>
      ${detail.attempts.map(
        (attempt) => html`<tr>
          <td>${attempt.attempt}</td>
          <td>${host.formatDateTime(attempt.started_at)}</td>
          <td>${say(host, attemptAnswer(attempt))}</td>
          <td>${say(host, attemptOutcome(attempt))}</td>
          <td>${attempt.error ?? ""}</td>
        </tr>`,
      )}
    </tbody>
  </table>`;
}

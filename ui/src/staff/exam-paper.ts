// The exam paper's parts: one question as a labelled group of radios or checkboxes, and the
// styles of the countdown and the questions.
import { css, html } from "lit";
import type { AcademyElement } from "../element.js";
import type { PaperQuestion } from "./types.js";

export interface OptionHandlers {
  choose: (optionId: string, checked: boolean) => void;
  key: (event: KeyboardEvent, optionId: string) => void;
}

/** A fieldset named by its legend ("Question 2 of 20: …"), described by how many to choose. */
export function renderQuestion(
  host: AcademyElement,
  question: PaperQuestion,
  index: number,
  total: number,
  chosen: string[],
  on: OptionHandlers,
) {
  const hint = `hint-${index}`;
  const type = question.kind === "single" ? "radio" : "checkbox";
  return html`<fieldset aria-describedby=${hint}>
    <legend>${host.t("exam.question", { number: index + 1, total, text: question.text })}</legend>
    <p class="hint" id=${hint}>${host.t(question.kind === "single" ? "exam.single" : "exam.multiple")}</p>
    ${question.options.map(
      (option) => html`<label>
        <input
          type=${type}
          name=${`question-${index}`}
          value=${option.id}
          .checked=${chosen.includes(option.id)}
          @change=${(e: Event) => on.choose(option.id, (e.target as HTMLInputElement).checked)}
          @keydown=${(e: KeyboardEvent) => on.key(e, option.id)}
        />
        <span>${option.text}</span>
      </label>`,
    )}
  </fieldset>`;
}

export const examStyles = css`
  .clock {
    position: sticky;
    top: 0;
    z-index: 1;
    display: flex;
    flex-wrap: wrap;
    gap: 0 var(--academy-spacing, 0.75rem);
    align-items: baseline;
    background: var(--academy-color-surface, #ffffff);
    border: 1px solid var(--academy-color-border, #c9d1da);
    border-radius: var(--academy-radius, 6px);
    padding: 0.5em var(--academy-spacing, 0.75rem);
    margin-bottom: var(--academy-spacing, 0.75rem);
  }
  .clock [role="timer"] {
    font-size: 1.4em;
    font-weight: 700;
    font-variant-numeric: tabular-nums;
  }
  .clock.low [role="timer"] {
    color: var(--academy-color-error, #a4161a);
  }
  fieldset {
    border: 1px solid var(--academy-color-border, #c9d1da);
    border-radius: var(--academy-radius, 6px);
    margin: 0 0 var(--academy-spacing, 0.75rem);
    padding: var(--academy-spacing, 0.75rem);
  }
  legend {
    font-weight: 600;
    padding: 0 0.25em;
  }
  fieldset label {
    display: flex;
    gap: 0.5em;
    align-items: baseline;
    padding: 0.2em 0;
  }
  fieldset input {
    accent-color: var(--academy-color-accent, #0b57d0);
  }
  .hint {
    margin: 0 0 0.35em;
    color: var(--academy-color-muted, #4a5360);
  }
`;

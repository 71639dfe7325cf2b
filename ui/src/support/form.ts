// The support screens' form: labelled fields checked before sending, a confirmation step, the
// API's refusal next to the fields it names, and the outcome. Each override form extends it.
import { type TemplateResult, html, nothing } from "lit";
import "../confirm.js";
import type { AcademyConfirm, ConfirmOptions } from "../confirm.js";
import { AcademyElement, Action, loading } from "../element.js";
import type { MessageKey } from "../messages.js";
import { base } from "../styles.js";
import { type FieldRule, type Refusal, REASON_MAX, refusalFor, trimmed, validate } from "./fields.js";
import type { Described } from "./model.js";
import { formStyles } from "./styles.js";

export interface FieldSpec extends FieldRule {
  label: MessageKey;
  hint?: MessageKey;
  multiline?: boolean;
}

/** A description in words, its dates formatted for the reader ("2 December 2026 at 14:05 UTC"). */
export function say(host: AcademyElement, described: Described): string {
  const dates = Object.fromEntries(
    Object.entries(described.dates ?? {}).map(([name, iso]) => [name, host.formatDateTime(iso)]),
  );
  return host.t(described.key, { ...described.values, ...dates });
}

/** The catalogue prefixes of the forms: `<prefix>.heading`, `.intro`, `.submit`, `.busy`. */
export type FormTexts = "support.force" | "support.reset" | "support.waiver" | "support.revoke";

/** One form of the support screens: fields → check → confirmation → send → outcome. */
export abstract class SupportForm<R> extends AcademyElement {
  static override properties = {
    ...AcademyElement.properties,
    values: { state: true },
    problems: { state: true },
    refusal: { state: true },
    result: { state: true },
  };

  static override styles = [base, formStyles];

  protected values: Record<string, string> = {};
  /** The words next to each field (from the check before sending or the API's refusal). */
  protected problems: Record<string, string> = {};
  protected refusal: Refusal | null = null;
  protected result: R | null = null;
  protected readonly action = new Action(this);

  protected abstract fields(): FieldSpec[];
  /** Where the form's heading, intro, submit and busy texts are in the catalogue. */
  protected abstract readonly texts: FormTexts;
  protected abstract confirmation(values: Record<string, string>): ConfirmOptions;
  protected abstract send(values: Record<string, string>): Promise<R>;
  protected abstract renderResult(result: R): TemplateResult;

  /** A form loads nothing. */
  reload(): void {}

  /** The button's class: "danger" for what cannot be undone. */
  protected submitClass(): string {
    return "primary";
  }

  /** More to send than the fields (a checkbox, …). */
  protected extraValues(): Record<string, unknown> {
    return {};
  }

  /** Controls between the fields and the button. */
  protected renderExtra(): TemplateResult | typeof nothing {
    return nothing;
  }

  /** Say a refusal the fields cannot hold (override for codes a form knows). */
  protected describeRefusal(refusal: Refusal): Refusal {
    return refusal;
  }

  protected input(name: string): HTMLInputElement | HTMLTextAreaElement | null {
    return this.renderRoot.querySelector(`#field-${name}`);
  }

  private async focusFirstProblem(): Promise<boolean> {
    await this.updateComplete;
    const first = this.fields().find((field) => this.problems[field.name]);
    if (!first) return false;
    this.input(first.name)?.focus();
    return true;
  }

  private async submit(event: Event): Promise<void> {
    event.preventDefault();
    if (this.action.busy) return;
    const fields = this.fields();
    const found = validate(this.values, fields);
    this.problems = Object.fromEntries(Object.entries(found).map(([name, key]) => [name, this.t(key)]));
    this.refusal = null;
    this.result = null;
    if (await this.focusFirstProblem()) return;
    const values = trimmed(this.values);
    const dialog = this.renderRoot.querySelector<AcademyConfirm>("academy-confirm");
    const answer = await dialog?.ask(this.confirmation(values));
    if (answer === null || answer === undefined) {
      this.renderRoot.querySelector<HTMLButtonElement>("button[type=submit]")?.focus();
      return;
    }
    const result = await this.action.run(() => this.send(values));
    if (result !== null) {
      this.result = result;
      await this.updateComplete;
      this.renderRoot.querySelector<HTMLElement>(".result")?.focus();
      return;
    }
    if (this.action.error) {
      const names = fields.map((field) => field.name);
      this.refusal = this.describeRefusal(refusalFor(this.action.error, names));
      this.problems = { ...this.refusal.fields };
      if (!(await this.focusFirstProblem())) this.renderRoot.querySelector<HTMLElement>(".error")?.focus();
    }
  }

  protected setValue(name: string, value: string): void {
    this.values = { ...this.values, [name]: value };
    if (this.problems[name]) {
      const { [name]: _cleared, ...rest } = this.problems;
      this.problems = rest;
    }
  }

  private renderField(field: FieldSpec): TemplateResult {
    const id = `field-${field.name}`;
    const problem = this.problems[field.name];
    const described = [field.hint ? `${id}-hint` : "", problem ? `${id}-error` : ""].filter(Boolean).join(" ");
    const common = {
      id,
      invalid: problem ? "true" : "false",
      described: described || nothing,
      value: this.values[field.name] ?? "",
    };
    const onInput = (event: Event) => this.setValue(field.name, (event.target as HTMLInputElement).value);
    const suggestions = problem ? (this.refusal?.suggestions[field.name] ?? []) : [];
    return html`<div class="field">
      <label for=${id}>${this.t(field.label)}</label>
      ${field.hint ? html`<p class="hint" id="${id}-hint">${this.t(field.hint)}</p>` : nothing}
      ${field.multiline
        ? html`<textarea
            id=${common.id}
            name=${field.name}
            rows="3"
            maxlength=${REASON_MAX}
            aria-required=${field.required ? "true" : "false"}
            aria-invalid=${common.invalid}
            aria-describedby=${common.described}
            .value=${common.value}
            @input=${onInput}
          ></textarea>`
        : html`<input
            type="text"
            id=${common.id}
            name=${field.name}
            autocomplete="off"
            spellcheck="false"
            aria-required=${field.required ? "true" : "false"}
            aria-invalid=${common.invalid}
            aria-describedby=${common.described}
            .value=${common.value}
            @input=${onInput}
          />`}
      ${problem ? html`<p class="field-error" id="${id}-error">${problem}</p>` : nothing}
      ${suggestions.map(
        (meant) => html`<button
          type="button"
          class="secondary suggestion"
          @click=${() => {
            this.setValue(field.name, meant);
            this.input(field.name)?.focus();
          }}
        >${this.t("support.form.useSuggestion", { value: meant })}</button>`,
      )}
    </div>`;
  }

  private renderRefusal(refusal: Refusal): TemplateResult {
    const error = this.action.error;
    const fieldsOnly = Object.keys(refusal.fields).length > 0 && refusal.lines.length === 0;
    const summary = fieldsOnly || !error ? this.t("support.form.fixFields") : error.message;
    return html`<div class="error" role="alert" tabindex="-1">
      <p>${summary}</p>
      ${refusal.lines.length
        ? html`<ul>
            ${refusal.lines.map((line) => html`<li>${line}</li>`)}
          </ul>`
        : nothing}
    </div>`;
  }

  override render() {
    const busy = this.action.busy;
    return html`<section aria-labelledby="heading" aria-busy=${busy ? "true" : "false"}>
      <h2 id="heading">${this.t(`${this.texts}.heading`)}</h2>
      <p class="intro">${this.t(`${this.texts}.intro`)}</p>
      <form novalidate @submit=${this.submit}>
        ${this.fields().map((field) => this.renderField(field))} ${this.renderExtra()}
        <div class="actions">
          <button type="submit" class=${this.submitClass()} ?disabled=${busy}>${this.t(`${this.texts}.submit`)}</button>
        </div>
      </form>
      <div class="outcome">
        ${busy ? loading(this.t(`${this.texts}.busy`)) : this.refusal ? this.renderRefusal(this.refusal) : nothing}
        ${this.result !== null && !busy
          ? html`<div class="result" role="status" tabindex="-1">${this.renderResult(this.result)}</div>`
          : nothing}
      </div>
      <academy-confirm></academy-confirm>
    </section>`;
  }
}

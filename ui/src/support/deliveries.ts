// <academy-deliveries>: the release bridge's webhooks to the portal, filtered by operator and
// status, each expandable to its attempts, with "Redeliver" behind a reason and a confirmation.
import { type TemplateResult, css, html, nothing } from "lit";
import { repeat } from "lit/directives/repeat.js";
import { type ApiError, asApiError, seg } from "../api.js";
import "../confirm.js";
import type { AcademyConfirm } from "../confirm.js";
import { AcademyElement, Action, Loader, define, empty, failure, loading } from "../element.js";
import { base } from "../styles.js";
import { checkField } from "./fields.js";
import { attemptsTable } from "./attempts.js";
import { say } from "./form.js";
import {
  DELIVERY_STATUSES,
  type DeliveryDetail,
  type DeliverySummary,
  deliveryState,
  statusLabel,
} from "./model.js";
import { formStyles } from "./styles.js";

type DetailState =
  | { kind: "loading"; previous: DeliveryDetail | null }
  | { kind: "ready"; value: DeliveryDetail }
  | { kind: "failed"; error: ApiError };

interface Redelivered {
  webhook_id: string;
  status: string;
  actor: string;
}

/** The list's size: the API's default page (newest first). */
export const PAGE = 100;

export class AcademyDeliveries extends AcademyElement {
  static override properties = {
    ...AcademyElement.properties,
    operatorInput: { state: true },
    statusInput: { state: true },
    operatorProblem: { state: true },
    expanded: { state: true },
    details: { state: true },
    notice: { state: true },
  };

  static override styles = [
    base,
    formStyles,
    css`
      form.filters {
        display: flex;
        flex-wrap: wrap;
        align-items: end;
        max-width: none;
      }
      .scroll {
        overflow-x: auto;
        margin-top: var(--academy-spacing, 0.75rem);
      }
      .toggle {
        overflow-wrap: anywhere;
      }
      .detail {
        background: var(--academy-color-surface, #ffffff);
      }
      caption {
        text-align: start;
        font-weight: 600;
        padding: 0.4em 0;
      }
      .standalone {
        border: 1px solid var(--academy-color-border, #c9d1da);
        border-radius: var(--academy-radius, 6px);
        padding: var(--academy-spacing, 0.75rem);
        margin-top: var(--academy-spacing, 0.75rem);
      }
    `,
  ];

  protected operatorInput = "";
  protected statusInput = "";
  protected operatorProblem = "";
  protected expanded: string[] = [];
  protected details: Record<string, DetailState> = {};
  /** What the last redeliver did, in words. */
  protected notice = "";
  private query = { operator: "", status: "" };
  private readonly redeliver = new Action(this);
  private readonly list = new Loader<DeliverySummary[]>(this, (signal) => {
    const params = new URLSearchParams({ limit: String(PAGE) });
    if (this.query.operator) params.set("operator_id", this.query.operator);
    if (this.query.status) params.set("status", this.query.status);
    return this.releaseApi.get<DeliverySummary[]>(`/v1/support/deliveries?${params}`, signal);
  });

  reload(): Promise<void> {
    return Promise.all([this.list.run(), ...this.expanded.map((id) => this.loadDetail(id))]).then(() => undefined);
  }

  /** Open one delivery (e.g. the one a force-release just made): all filters off, expanded. */
  async show(webhookId: string): Promise<void> {
    this.operatorInput = this.statusInput = this.operatorProblem = "";
    this.query = { operator: "", status: "" };
    if (!this.expanded.includes(webhookId)) this.expanded = [...this.expanded, webhookId];
    await this.reload();
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLElement>(`[data-webhook="${CSS.escape(webhookId)}"]`)?.focus();
  }

  private async loadDetail(webhookId: string): Promise<void> {
    const current = this.details[webhookId];
    const previous = current?.kind === "ready" ? current.value : null;
    this.details = { ...this.details, [webhookId]: { kind: "loading", previous } };
    let state: DetailState;
    try {
      const value = await this.releaseApi.get<DeliveryDetail>(`/v1/support/deliveries/${seg(webhookId)}`);
      state = { kind: "ready", value };
    } catch (error) {
      state = { kind: "failed", error: asApiError(error, this.catalogue) };
    }
    this.details = { ...this.details, [webhookId]: state };
  }

  private toggle(webhookId: string): void {
    if (this.expanded.includes(webhookId)) {
      this.expanded = this.expanded.filter((id) => id !== webhookId);
    } else {
      this.expanded = [...this.expanded, webhookId];
      void this.loadDetail(webhookId);
    }
  }

  private async filter(event: Event): Promise<void> {
    event.preventDefault();
    const problem = checkField(this.operatorInput, { name: "operator_id", kind: "operator", required: false });
    this.operatorProblem = problem ? this.t(problem) : "";
    if (problem) {
      await this.updateComplete;
      this.renderRoot.querySelector<HTMLInputElement>("#filter-operator")?.focus();
      return;
    }
    this.query = { operator: this.operatorInput.trim(), status: this.statusInput };
    await this.list.run();
  }

  private async askRedeliver(delivery: DeliverySummary | DeliveryDetail, trigger: HTMLElement): Promise<void> {
    const id = delivery.webhook_id;
    const dialog = this.renderRoot.querySelector<AcademyConfirm>("academy-confirm");
    const reason = await dialog?.ask({
      heading: this.t("support.redeliver.confirmHeading", { id }),
      body: this.t("support.redeliver.confirmBody", {
        operator: delivery.operator_id,
        status: say(this, statusLabel(delivery.status)),
      }),
      confirmLabel: this.t("support.redeliver.confirm"),
      reasonLabel: this.t("support.field.reason"),
    });
    trigger.focus();
    if (reason === null || reason === undefined) return;
    this.notice = "";
    const done = await this.redeliver.run(() =>
      this.releaseApi.post<Redelivered>(`/v1/support/deliveries/${seg(id)}/redeliver`, { reason }),
    );
    if (done === null) return;
    this.notice = this.t("support.redeliver.done", {
      id: done.webhook_id,
      status: say(this, statusLabel(done.status)),
      actor: done.actor,
    });
    if (!this.expanded.includes(id)) this.expanded = [...this.expanded, id];
    await this.reload();
    this.emit("academy-delivery-redelivered", { webhookId: id, status: done.status });
  }

  private renderRedeliver(delivery: DeliverySummary | DeliveryDetail): TemplateResult | typeof nothing {
    if (delivery.status === "delivered") return nothing;
    return html`<button
      type="button"
      class="secondary"
      ?disabled=${this.redeliver.busy}
      @click=${(event: Event) => void this.askRedeliver(delivery, event.currentTarget as HTMLElement)}
    >
      ${this.t("support.redeliver.button")}<span class="visually-hidden"> ${delivery.webhook_id}</span>
    </button>`;
  }

  private renderDetail(webhookId: string): TemplateResult {
    const state = this.details[webhookId];
    if (!state || (state.kind === "loading" && !state.previous)) {
      return loading(this.t("support.deliveries.loadingAttempts"));
    }
    if (state.kind === "failed") return failure(this, state.error, () => void this.loadDetail(webhookId));
    const detail = state.kind === "ready" ? state.value : state.previous!;
    return html`<p>${say(this, deliveryState(detail))}</p>
      ${attemptsTable(this, detail)}`;
  }

  private renderRow(delivery: DeliverySummary, index: number): TemplateResult {
    const open = this.expanded.includes(delivery.webhook_id);
    const detailId = `detail-${index}`;
    return html`<tr>
        <th scope="row">
          <button
            type="button"
            class="link toggle"
            data-webhook=${delivery.webhook_id}
            aria-expanded=${open ? "true" : "false"}
            aria-controls=${detailId}
            @click=${() => this.toggle(delivery.webhook_id)}
          >${delivery.webhook_id}</button>
        </th>
        <td>${delivery.webhook_type}</td>
        <td>${delivery.operator_id}</td>
        <td>${delivery.jurisdiction}</td>
        <td><strong>${say(this, statusLabel(delivery.status))}</strong><br />${say(this, deliveryState(delivery))}</td>
        <td>${delivery.attempts}</td>
        <td>${this.formatDateTime(delivery.decided_at)}</td>
        <td>${this.renderRedeliver(delivery)}</td>
      </tr>
      <tr id=${detailId} class="detail" ?hidden=${!open}>
        <td colspan="8">${open ? this.renderDetail(delivery.webhook_id) : nothing}</td>
      </tr>`;
  }

  private renderTable(deliveries: DeliverySummary[]): TemplateResult {
    const listed = new Set(deliveries.map((d) => d.webhook_id));
    const others = this.expanded.filter((id) => !listed.has(id));
    const filtered = Boolean(this.query.operator || this.query.status);
    return html`${others.map((id) => this.renderStandalone(id))}
      ${deliveries.length === 0
        ? empty(this.t(filtered ? "support.deliveries.noneMatch" : "support.deliveries.empty"))
        : html`<div class="scroll">
            <table>
              <caption class="visually-hidden">${this.t("support.deliveries.caption")}</caption>
              <thead>
                <tr>
                  <th scope="col">${this.t("support.deliveries.id")}</th>
                  <th scope="col">${this.t("support.deliveries.type")}</th>
                  <th scope="col">${this.t("support.deliveries.operator")}</th>
                  <th scope="col">${this.t("support.deliveries.jurisdiction")}</th>
                  <th scope="col">${this.t("support.deliveries.state")}</th>
                  <th scope="col">${this.t("support.deliveries.attempts")}</th>
                  <th scope="col">${this.t("support.deliveries.decided")}</th>
                  <th scope="col"><span class="visually-hidden">${this.t("support.deliveries.actions")}</span></th>
                </tr>
              </thead>
              <tbody>
                ${repeat(deliveries, (d) => d.webhook_id, (d, index) => this.renderRow(d, index))}
              </tbody>
            </table>
          </div>
          ${deliveries.length >= PAGE
            ? html`<p class="hint">${this.t("support.deliveries.newest", { count: PAGE })}</p>`
            : nothing}`}`;
  }

  /** A delivery asked for by id that the list does not show (filtered out or older). */
  private renderStandalone(webhookId: string): TemplateResult {
    const state = this.details[webhookId];
    const detail = state?.kind === "ready" ? state.value : state?.kind === "loading" ? state.previous : null;
    return html`<div class="standalone">
      <h3>
        <button
          type="button"
          class="link toggle"
          data-webhook=${webhookId}
          aria-expanded="true"
          @click=${() => this.toggle(webhookId)}
        >
          ${webhookId}
        </button>
      </h3>
      ${detail ? html`<p><strong>${say(this, statusLabel(detail.status))}</strong></p>` : nothing}
      ${this.renderDetail(webhookId)} ${detail ? this.renderRedeliver(detail) : nothing}
    </div>`;
  }

  override render() {
    const busy = this.list.state.kind !== "ready" && this.list.state.kind !== "failed";
    return html`<section aria-labelledby="heading" aria-busy=${busy ? "true" : "false"}>
      <h2 id="heading">${this.t("support.deliveries.heading")}</h2>
      <form
        class="filters"
        role="search"
        aria-label=${this.t("support.deliveries.filters")}
        novalidate
        @submit=${this.filter}
      >
        <div class="field">
          <label for="filter-operator">${this.t("support.field.operator")}</label>
          <input
            type="text"
            id="filter-operator"
            autocomplete="off"
            spellcheck="false"
            aria-invalid=${this.operatorProblem ? "true" : "false"}
            aria-describedby=${this.operatorProblem ? "filter-operator-error" : nothing}
            .value=${this.operatorInput}
            @input=${(e: Event) => (this.operatorInput = (e.target as HTMLInputElement).value)}
          />
        </div>
        <div class="field">
          <label for="filter-status">${this.t("support.deliveries.status")}</label>
          <select
            id="filter-status"
            .value=${this.statusInput}
            @change=${(e: Event) => (this.statusInput = (e.target as HTMLSelectElement).value)}
          >
            <option value="">${this.t("support.deliveries.anyStatus")}</option>
            ${DELIVERY_STATUSES.map(
              (s) => html`<option value=${s} ?selected=${this.statusInput === s}>${say(this, statusLabel(s))}</option>`,
            )}
          </select>
        </div>
        <button type="submit" class="primary">${this.t("support.deliveries.apply")}</button>
        <button type="button" class="secondary" @click=${() => void this.reload()}>
          ${this.t("support.deliveries.refresh")}
        </button>
      </form>
      ${this.operatorProblem
        ? html`<p class="field-error" id="filter-operator-error">${this.operatorProblem}</p>`
        : nothing}
      <div class="outcome">
        ${this.redeliver.render(this.t("support.redeliver.busy"))}
        ${this.notice && !this.redeliver.busy ? html`<p class="ok" role="status">${this.notice}</p>` : nothing}
      </div>
      ${this.list.render((deliveries) => this.renderTable(deliveries))}
      <academy-confirm></academy-confirm>
    </section>`;
  }
}

define("academy-deliveries", AcademyDeliveries);

declare global {
  interface HTMLElementTagNameMap {
    "academy-deliveries": AcademyDeliveries;
  }
}

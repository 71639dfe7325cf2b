// <academy-readiness>: per go-live jurisdiction, whether the release policy is met, which
// requirement blocks the release, and who on the team could meet it (with their progress).
import { html, nothing } from "lit";
import { Loader, define, empty } from "../element.js";
import { base } from "../styles.js";
import { candidatesFor, daysLeft, standing } from "./logic.js";
import { OperatorElement } from "./operator-element.js";
import { officer } from "./styles.js";
import type {
  JurisdictionReadiness,
  Readiness,
  Requirement,
  StaffProgress,
  StaffTrackRow,
} from "./types.js";

/** A holder whose certificate ends within this many days is flagged: the readiness may lapse. */
const SOON_DAYS = 60;

interface ReadinessView {
  readiness: Readiness;
  staff: StaffTrackRow[];
}

export class AcademyReadiness extends OperatorElement {
  static override styles = [base, officer];

  private readonly data = new Loader<ReadinessView>(this, async (signal) => {
    const path = await this.operatorPath(signal);
    const [readiness, staff] = await Promise.all([
      this.api.get<Readiness>(`${path}/readiness`, signal),
      this.api.get<StaffProgress>(`${path}/staff`, signal),
    ]);
    return { readiness, staff: staff.rows };
  });

  reload(): Promise<void> {
    return this.data.run();
  }

  /** "a staff member: where they stand" for one who could meet a requirement. */
  candidateLine(row: StaffTrackRow): string {
    const found = standing(row);
    const text = this.t(found.key, { ...found.values, date: this.formatDate(found.date) });
    return this.t("officer.candidate", { name: row.name, standing: text });
  }

  private renderRequirementRow(requirement: Requirement, checkedAt: Date) {
    const holders = requirement.holders.map((h) =>
      this.t(
        daysLeft(h.expires_at, checkedAt) <= SOON_DAYS ? "officer.readiness.holderExpiring" : "officer.readiness.holder",
        { name: h.staff_name, date: this.formatDate(h.expires_at) },
      ),
    );
    return html`<tr>
      <th scope="row">${this.roleName(requirement.role)}</th>
      <td>${requirement.needed}</td>
      <td>
        ${requirement.have}
        ${holders.length
          ? html`<ul class="people">
              ${holders.map((line) => html`<li>${line}</li>`)}
            </ul>`
          : nothing}
      </td>
      <td class=${requirement.met ? "ok" : "blocked"}>
        ${requirement.met
          ? this.t("officer.readiness.requirementMet")
          : this.t("officer.readiness.requirementMissing", { count: requirement.missing })}
      </td>
    </tr>`;
  }

  private renderBlocker(item: JurisdictionReadiness, requirement: Requirement, rows: StaffTrackRow[]) {
    const role = this.roleName(requirement.role);
    const candidates = candidatesFor(rows, item.jurisdiction, requirement.role);
    return html`<div class="blocker">
      <h4 class="blocked">
        ${this.t("officer.readiness.blocking", {
          count: requirement.missing,
          role,
          jurisdiction: item.jurisdiction,
          have: requirement.have,
          needed: requirement.needed,
        })}
      </h4>
      <p class="meta">${this.t("officer.readiness.whoCould")}</p>
      ${candidates.length
        ? html`<ul class="people">
            ${candidates.map((row) => html`<li>${this.candidateLine(row)}</li>`)}
          </ul>`
        : empty(this.t("officer.readiness.nobody", { role, jurisdiction: item.jurisdiction }))}
    </div>`;
  }

  private renderJurisdiction(
    item: JurisdictionReadiness,
    rows: StaffTrackRow[],
    index: number,
    checkedAt: Date,
  ) {
    const id = `jurisdiction-${index}`;
    const title = item.name
      ? this.t("officer.jurisdiction.named", { name: item.name, code: item.jurisdiction })
      : item.jurisdiction;
    let verdict: string;
    if (item.met) {
      verdict = this.t("officer.readiness.met", { tooling: item.tooling.join(", ") });
    } else if (!item.policy_published) {
      verdict = this.t("officer.readiness.noPolicy", { jurisdiction: item.jurisdiction });
    } else {
      verdict = this.t("officer.readiness.blocked", { tooling: item.tooling.join(", ") });
    }
    const unmet = item.requirements.filter((r) => !r.met);
    return html`<li class="card">
      <article aria-labelledby=${id}>
        <h3 id=${id}>${title}</h3>
        ${item.regulator
          ? html`<p class="meta">${this.t("officer.readiness.regulator", { regulator: item.regulator })}</p>`
          : nothing}
        <p class="verdict ${item.met ? "ok" : "blocked"}">${verdict}</p>
        ${item.requirements.length
          ? html`<div class="table-wrap">
              <table>
                <caption>${this.t("officer.readiness.requirements", { jurisdiction: item.jurisdiction })}</caption>
                <thead>
                  <tr>
                    <th scope="col">${this.t("officer.readiness.col.role")}</th>
                    <th scope="col">${this.t("officer.readiness.col.needed")}</th>
                    <th scope="col">${this.t("officer.readiness.col.have")}</th>
                    <th scope="col">${this.t("officer.readiness.col.status")}</th>
                  </tr>
                </thead>
                <tbody>
                  ${item.requirements.map((r) => this.renderRequirementRow(r, checkedAt))}
                </tbody>
              </table>
            </div>`
          : nothing}
        ${unmet.map((r) => this.renderBlocker(item, r, rows))}
      </article>
    </li>`;
  }

  override render() {
    const busy = this.data.state.kind === "loading" || this.data.state.kind === "idle";
    return html`<section aria-labelledby="heading" aria-busy=${busy ? "true" : "false"}>
      <h2 id="heading">${this.t("officer.readiness.heading")}</h2>
      ${this.data.render(({ readiness, staff }) =>
        readiness.jurisdictions.length === 0
          ? empty(this.t("officer.readiness.empty"))
          : html`<p class="meta">
                ${this.t("officer.readiness.checkedAt", { at: this.formatDateTime(readiness.checked_at) })}
              </p>
              <ul class="cards">
                ${readiness.jurisdictions.map((item, index) =>
                  this.renderJurisdiction(item, staff, index, new Date(readiness.checked_at)),
                )}
              </ul>`,
      )}
    </section>`;
  }
}

define("academy-readiness", AcademyReadiness);

declare global {
  interface HTMLElementTagNameMap {
    "academy-readiness": AcademyReadiness;
  }
}

// <academy-team-progress>: every staff member's progress per track, filterable by jurisdiction.
import { html } from "lit";
import { Loader, define, empty } from "../element.js";
import { base } from "../styles.js";
import { type TrackGroup, byTrack, jurisdictionsIn, standing } from "./logic.js";
import { OperatorElement } from "./operator-element.js";
import { officer } from "./styles.js";
import type { StaffProgress, StaffTrackRow } from "./types.js";

export class AcademyTeamProgress extends OperatorElement {
  static override properties = {
    ...OperatorElement.properties,
    jurisdiction: { type: String },
  };

  static override styles = [base, officer];

  /** The jurisdiction shown ("" = all); the select changes it, the host may preset it. */
  jurisdiction = "";

  private readonly staff = new Loader<StaffTrackRow[]>(this, async (signal) => {
    const path = await this.operatorPath(signal);
    return (await this.api.get<StaffProgress>(`${path}/staff`, signal)).rows;
  });

  reload(): Promise<void> {
    return this.staff.run();
  }

  private choose(event: Event): void {
    this.jurisdiction = (event.target as HTMLSelectElement).value;
    this.emit("academy-jurisdiction-selected", { jurisdiction: this.jurisdiction });
  }

  private renderRow(group: TrackGroup, row: StaffTrackRow) {
    const found = standing(row);
    return html`<tr>
      <th scope="row">${row.name}</th>
      <td>
        ${this.t("officer.team.lessons", { done: row.lessons_completed, total: row.lessons_total })}
        <br />
        <span class="meta">
          ${this.t("officer.team.modules", { done: row.modules_completed, total: row.modules_total })}
        </span>
      </td>
      <td>
        <progress
          max="100"
          .value=${row.percent}
          aria-label=${this.t("officer.team.progressLabel", {
            name: row.name,
            track: this.trackName(group.jurisdiction, group.role),
            percent: row.percent,
          })}
        ></progress>
        ${this.t("officer.team.percent", { percent: row.percent })}
      </td>
      <td class="sentence ${row.expiring_soon ? "blocked" : ""}">
        ${this.t(found.key, { ...found.values, date: this.formatDate(found.date) })}
      </td>
    </tr>`;
  }

  private renderGroup(group: TrackGroup) {
    return html`<div class="table-wrap">
      <table>
        <caption>${this.trackName(group.jurisdiction, group.role)}</caption>
        <thead>
          <tr>
            <th scope="col">${this.t("officer.team.col.staff")}</th>
            <th scope="col">${this.t("officer.team.col.lessons")}</th>
            <th scope="col">${this.t("officer.team.col.progress")}</th>
            <th scope="col">${this.t("officer.team.col.standing")}</th>
          </tr>
        </thead>
        <tbody>
          ${group.rows.map((row) => this.renderRow(group, row))}
        </tbody>
      </table>
    </div>`;
  }

  private renderRows(rows: StaffTrackRow[]) {
    if (rows.length === 0) return empty(this.t("officer.team.empty"));
    const codes = jurisdictionsIn(rows);
    const chosen = codes.includes(this.jurisdiction) ? this.jurisdiction : "";
    const groups = byTrack(rows, chosen);
    return html`<div class="filter">
        <label for="jurisdiction">${this.t("officer.team.filter")}</label>
        <select id="jurisdiction" @change=${this.choose}>
          <option value="" ?selected=${chosen === ""}>${this.t("officer.team.all")}</option>
          ${codes.map((code) => html`<option value=${code} ?selected=${chosen === code}>${code}</option>`)}
        </select>
      </div>
      <p class="visually-hidden" role="status">
        ${this.t("officer.team.shown", { tracks: groups.length, jurisdiction: chosen || this.t("officer.team.all") })}
      </p>
      ${groups.map((group) => this.renderGroup(group))}`;
  }

  override render() {
    const busy = this.staff.state.kind === "loading" || this.staff.state.kind === "idle";
    return html`<section aria-labelledby="heading" aria-busy=${busy ? "true" : "false"}>
      <h2 id="heading">${this.t("officer.team.heading")}</h2>
      ${this.staff.render((rows) => this.renderRows(rows))}
    </section>`;
  }
}

define("academy-team-progress", AcademyTeamProgress);

declare global {
  interface HTMLElementTagNameMap {
    "academy-team-progress": AcademyTeamProgress;
  }
}

// Styles the officer screens share on top of the kit's base (every value from --academy-*).
import { css } from "lit";

export const officer = css`
  h3 {
    font-size: 1.1em;
    margin: 0 0 0.35em;
  }
  h4 {
    font-size: 1em;
    margin: 0.75em 0 0.35em;
  }
  .cards {
    list-style: none;
    margin: 0;
    padding: 0;
    display: grid;
    gap: var(--academy-spacing, 0.75rem);
  }
  .card {
    border: 1px solid var(--academy-color-border, #c9d1da);
    border-radius: var(--academy-radius, 6px);
    padding: var(--academy-spacing, 0.75rem);
  }
  .meta {
    margin: 0 0 0.35em;
    color: var(--academy-color-muted, #4a5360);
  }
  .verdict {
    font-weight: 600;
    margin: 0.35em 0;
  }
  .blocked {
    color: var(--academy-color-error, #a4161a);
  }
  .people {
    margin: 0.25em 0 0;
    padding-inline-start: 1.25em;
  }
  .sentence::first-letter {
    text-transform: uppercase;
  }
  caption {
    text-align: start;
    font-weight: 600;
    padding: 0.5em 0;
  }
  .table-wrap + .table-wrap {
    margin-top: var(--academy-spacing, 0.75rem);
  }
  progress {
    width: 8em;
    accent-color: var(--academy-color-accent, #0b57d0);
  }
  label {
    font-weight: 600;
    margin-inline-end: 0.5em;
  }
  select {
    padding: 0.25em 0.5em;
    border: 1px solid var(--academy-color-border, #c9d1da);
    border-radius: var(--academy-radius, 6px);
    background: var(--academy-color-surface, #ffffff);
    color: var(--academy-color-text, #1b1f24);
  }
  .filter {
    margin: 0 0 var(--academy-spacing, 0.75rem);
  }
`;

// Shadow styles of the support screens' forms, results and definition lists (on top of ../styles.ts);
// every colour and size from a --academy-* custom property.
import { css } from "lit";

export const formStyles = css`
  form {
    display: grid;
    gap: var(--academy-spacing, 0.75rem);
    max-width: 36rem;
  }
  .field {
    display: grid;
    gap: 0.25em;
  }
  label {
    font-weight: 600;
  }
  .hint,
  .intro {
    color: var(--academy-color-muted, #4a5360);
    margin: 0;
  }
  .intro {
    margin-bottom: var(--academy-spacing, 0.75rem);
  }
  input[type="text"],
  select,
  textarea {
    border: 1px solid var(--academy-color-border, #c9d1da);
    border-radius: var(--academy-radius, 6px);
    padding: 0.35em 0.5em;
    color: inherit;
    background: var(--academy-color-surface, #ffffff);
  }
  [aria-invalid="true"] {
    border-color: var(--academy-color-error, #a4161a);
  }
  .suggestion {
    justify-self: start;
  }
  .actions {
    display: flex;
    gap: var(--academy-spacing, 0.75rem);
    align-items: center;
  }
  .outcome {
    margin-top: var(--academy-spacing, 0.75rem);
  }
  .result {
    border: 1px solid var(--academy-color-success, #146c2e);
    border-radius: var(--academy-radius, 6px);
    padding: var(--academy-spacing, 0.75rem);
  }
  .result p,
  .result dl {
    margin: 0 0 0.5em;
  }
  dl {
    display: grid;
    grid-template-columns: max-content 1fr;
    gap: 0.25em 1em;
  }
  dt {
    font-weight: 600;
  }
  dd {
    margin: 0;
    overflow-wrap: anywhere;
  }
  .warning {
    font-weight: 600;
    margin: 0;
  }
`;

// Shadow-DOM styles shared by the screens; every colour and size comes from a --academy-* property.
import { css } from "lit";

export const base = css`
  :host {
    display: block;
    font-family: var(--academy-font-family, system-ui, sans-serif);
    font-size: var(--academy-font-size, 1rem);
    color: var(--academy-color-text, #1b1f24);
    background: var(--academy-color-surface, #ffffff);
  }
  h2 {
    font-size: 1.25em;
    margin: 0 0 var(--academy-spacing, 0.75rem);
  }
  button {
    font: inherit;
    cursor: pointer;
  }
  button:focus-visible {
    outline: var(--academy-focus-ring, 3px solid #f2a900);
    outline-offset: 2px;
  }
  .status {
    display: flex;
    align-items: center;
    gap: 0.5em;
    color: var(--academy-color-muted, #4a5360);
  }
  .spinner {
    width: 1em;
    height: 1em;
    border: 2px solid var(--academy-color-border, #c9d1da);
    border-top-color: var(--academy-color-accent, #0b57d0);
    border-radius: 50%;
    animation: spin 0.8s linear infinite;
  }
  @keyframes spin {
    to {
      transform: rotate(360deg);
    }
  }
  @media (prefers-reduced-motion: reduce) {
    .spinner {
      animation: none;
    }
  }
  .error {
    border: 1px solid var(--academy-color-error, #a4161a);
    background: var(--academy-color-error-surface, #fdecea);
    color: var(--academy-color-error, #a4161a);
    border-radius: var(--academy-radius, 6px);
    padding: var(--academy-spacing, 0.75rem);
  }
  .error p {
    margin: 0 0 0.5em;
  }
  .error ul {
    margin: 0 0 0.5em;
  }
  .secondary {
    background: var(--academy-color-surface, #ffffff);
    color: var(--academy-color-text, #1b1f24);
    border: 1px solid var(--academy-color-border, #c9d1da);
    border-radius: var(--academy-radius, 6px);
    padding: 0.35em 0.9em;
  }
  .empty {
    color: var(--academy-color-muted, #4a5360);
    margin: 0;
  }
  .primary {
    background: var(--academy-color-accent, #0b57d0);
    color: var(--academy-color-accent-text, #ffffff);
    border: 1px solid var(--academy-color-accent, #0b57d0);
    border-radius: var(--academy-radius, 6px);
    padding: 0.35em 0.9em;
  }
  .danger {
    background: var(--academy-color-error, #a4161a);
    color: var(--academy-color-accent-text, #ffffff);
    border: 1px solid var(--academy-color-error, #a4161a);
    border-radius: var(--academy-radius, 6px);
    padding: 0.35em 0.9em;
  }
  button:disabled {
    opacity: 0.6;
    cursor: not-allowed;
  }
  input,
  select,
  textarea {
    font: inherit;
  }
  input:focus-visible,
  select:focus-visible,
  textarea:focus-visible,
  a:focus-visible,
  [tabindex]:focus-visible {
    outline: var(--academy-focus-ring, 3px solid #f2a900);
    outline-offset: 2px;
  }
  a {
    color: var(--academy-color-accent, #0b57d0);
  }
  /* A button that reads as a link (open a track, a delivery's attempts). */
  .link {
    background: none;
    border: none;
    padding: 0;
    color: var(--academy-color-accent, #0b57d0);
    text-decoration: underline;
    text-align: start;
  }
  .field-error {
    color: var(--academy-color-error, #a4161a);
    margin: 0.25em 0 0;
  }
  .ok {
    color: var(--academy-color-success, #146c2e);
  }
  table {
    border-collapse: collapse;
    width: 100%;
  }
  th,
  td {
    text-align: start;
    padding: 0.4em 0.6em;
    border-bottom: 1px solid var(--academy-color-border, #c9d1da);
    vertical-align: top;
  }
  th {
    font-weight: 600;
  }
  .visually-hidden {
    position: absolute;
    width: 1px;
    height: 1px;
    overflow: hidden;
    clip: rect(0 0 0 0);
    white-space: nowrap;
  }
`;
